// The bridge between the code editor (code_editor.jsx) and the call's relay socket
// (audio_call.jsx): two components on one page, one module instance shared by both.
//
// The editor offers a snapshot {code, language} once typing pauses; the call registers a
// sender while its socket is live and asks the editor to flush at the end of each
// candidate turn and before EndRequest. Sizes are checked here, before anything is sent:
// over the cap (preppal/editor.py MAX_CODE_BYTES, given to the editor as a prop, which sets
// it here) the snapshot is held back and the editor says why.
// window.__preppalCode exposes counters for the end-to-end tests.

const encoder = new TextEncoder();
const state = {
  maxBytes: Infinity, // set by the live editor from its maxCodeBytes prop
  send: null, // (snapshot) => boolean, set by the call while its socket is open
  latest: null, // newest snapshot the editor offered
  sentLatest: false,
  ended: false, // the call is over: nothing more will be shared
  status: { kind: "idle", bytes: 0, at: null, message: "" },
  flushers: new Set(),
  listeners: new Set(),
};

function debug() {
  if (typeof window === "undefined") return {};
  if (!window.__preppalCode) {
    // edits/sentAt/flushes: performance.now() marks, so tests check the debounce in the browser
    window.__preppalCode = { offered: 0, sent: 0, held: 0, sizes: [], edits: [], sentAt: [], flushes: [] };
  }
  return window.__preppalCode;
}

function setStatus(next) {
  state.status = { ...state.status, ...next };
  state.listeners.forEach((fn) => fn(state.status));
}

function trySend() {
  const snap = state.latest;
  if (!snap || state.sentLatest) return;
  if (snap.bytes > state.maxBytes) {
    debug().held += 1;
    setStatus({ kind: "too_large", bytes: snap.bytes });
    return;
  }
  if (!state.send) {
    setStatus({ kind: "waiting", bytes: snap.bytes });
    return;
  }
  if (state.send({ code: snap.code, language: snap.language })) {
    state.sentLatest = true;
    const dbg = debug();
    dbg.sent += 1;
    if (dbg.sizes.length < 50) dbg.sizes.push(snap.bytes);
    if (dbg.sentAt.length < 200) dbg.sentAt.push(performance.now());
    setStatus({ kind: "shared", bytes: snap.bytes, at: Date.now(), message: "" });
  }
}

/** Editor → call: the editor's whole text, after a typing pause (or a flush). */
export function offer(code, language) {
  const prev = state.latest;
  if (prev && prev.code === code && prev.language === language) return trySend();
  state.latest = { code, language, bytes: encoder.encode(code).length };
  state.sentLatest = false;
  debug().offered += 1;
  trySend();
}

/** Call → channel: the socket is live (a function) or gone (null). A new socket gets the newest code. */
export function setSender(send) {
  state.send = send;
  if (send) {
    state.sentLatest = false; // the relay ignores a repeat, and a resumed socket may have missed it
    trySend();
  } else if (state.latest && !state.ended) {
    setStatus({ kind: "waiting" });
  }
}

/** Call → channel: the call is over (ended or failed); say so instead of "waiting". */
export function endCall() {
  state.ended = true;
  state.send = null;
  setStatus({ kind: "ended" });
}

/** Call → editor: send what is typed now (end of a candidate turn, before ending the call). */
export function requestFlush() {
  const dbg = debug();
  if (dbg.flushes && dbg.flushes.length < 200) dbg.flushes.push(performance.now());
  state.flushers.forEach((fn) => fn());
}

/** Editor → channel: an edit (or a language change) started or extended a debounce (test record). */
export function noteEdit() {
  const dbg = debug();
  if (dbg.edits && dbg.edits.length < 2000) dbg.edits.push(performance.now());
}

export function onFlushRequest(fn) {
  state.flushers.add(fn);
  return () => state.flushers.delete(fn);
}

/** The relay refused a snapshot (4007) — only a client that skipped the check above gets here. */
export function reportRejected(message) {
  state.sentLatest = false;
  setStatus({ kind: "too_large", message });
}

export function onStatus(fn) {
  state.listeners.add(fn);
  fn(state.status);
  return () => state.listeners.delete(fn);
}

/** A new page (another interview): forget the previous one's code; `maxBytes` is the cap. */
export function reset(maxBytes = Infinity) {
  state.maxBytes = maxBytes;
  state.latest = null;
  state.sentLatest = false;
  state.ended = false;
  setStatus({ kind: "idle", bytes: 0, at: null, message: "" });
}
