// node --test: the call's plain parts as served (assets/call/), without a browser — the
// relay client's retry, resume (hand-over), end and teardown against a scripted socket,
// and the player's drain that decides when a finished call is torn down.
import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";
import { preppal } from "../assets/proto/interview_pb.js";
import { AudioPlayer } from "../assets/call/audio_player.js";
import { DebugRecord } from "../assets/call/debug_record.js";
import { END_WAIT_MS, RETRY_DELAYS_MS, RelayClient } from "../assets/call/relay_client.js";

const { ClientToServerMessage, ServerToClientMessage } = preppal;
const FATAL = { 4001: "expired", 4002: "ai_unavailable", 4009: "already_open", 4010: "timeout" };
const CODE_TOO_LARGE = 4007;

/** A WebSocket the test drives: it opens when told, records frames, closes like a browser. */
class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.all.push(this);
  }
  send(bytes) {
    this.sent.push(ClientToServerMessage.decode(bytes));
  }
  close(code) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // -- the server's side
  open() {
    this.readyState = 1;
    if (this.onopen) this.onopen({});
  }
  deliver(payload) {
    const bytes = ServerToClientMessage.encode(payload).finish();
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    if (this.onmessage) this.onmessage({ data });
  }
  drop(code, reason = "") {
    this.readyState = 3;
    if (this.onclose) this.onclose({ code, reason });
  }
  payloads() {
    return this.sent.map((m) => m.payload);
  }
}

function makeClient(options = {}) {
  const client = new RelayClient({
    urlFor: (token) => `ws://relay/ws/interview/iv-1?token=${token}`,
    fatalCodes: FATAL,
    codeTooLarge: CODE_TOO_LARGE,
    WebSocketImpl: FakeSocket,
    ...options,
  });
  const events = [];
  const types = ["status", "token", "ready", "audio", "interrupted", "transcript", "retracted", "codeRejected", "warning", "ended", "failed"];
  for (const type of types) {
    client.on(type, (payload) => events.push([type, payload]));
  }
  const of = (type) => events.filter(([t]) => t === type).map(([, p]) => p);
  return { client, events, of };
}

/** start → token → socket open → SessionReady: a live call. */
function liveCall(options) {
  const made = makeClient(options);
  made.client.start();
  made.client.connect("tok-1");
  const ws = FakeSocket.all.at(-1);
  ws.open();
  ws.deliver({ sessionReady: { interviewer: "gemini", outputSampleRate: 24000, maxDurationS: 3600, elapsedMs: 0 } });
  return { ...made, ws };
}

beforeEach(() => {
  FakeSocket.all = [];
  mock.timers.enable({ apis: ["setTimeout"] });
});
afterEach(() => mock.timers.reset());

test("a call starts by asking for a token and goes live on SessionReady", () => {
  const { client, of } = makeClient();
  client.start();
  assert.deepEqual(of("token"), [{ resume: false }]);
  assert.equal(client.phase, "connecting");
  assert.equal(client.sendAudio(new ArrayBuffer(1280)), false, "nothing is sent before a socket is open");
  assert.equal(client.connect("tok-1"), true);
  const ws = FakeSocket.all[0];
  assert.equal(ws.url, "ws://relay/ws/interview/iv-1?token=tok-1");
  assert.equal(client.connect("tok-2"), false, "one socket at a time");
  ws.open();
  ws.deliver({ sessionReady: { interviewer: "offline", outputSampleRate: 24000, maxDurationS: 1800, elapsedMs: 65000 } });
  assert.deepEqual(of("ready"), [{ interviewer: "offline", outputSampleRate: 24000, maxDurationS: 1800, elapsedMs: 65000 }]);
  assert.deepEqual(of("status").map((s) => s.phase), ["connecting", "live"]);
  assert.equal(client.sendAudio(new ArrayBuffer(1280)), true);
  assert.equal(ws.sent[0].audioChunk.audioContent.length, 1280);
});

test("server frames become typed events", () => {
  const { ws, of } = liveCall();
  ws.deliver({ audioResponse: { audioContent: new Uint8Array([1, 0, 2, 0]), sampleRate: 24000 } });
  ws.deliver({ interrupted: {} });
  ws.deliver({ transcriptUpdate: { speaker: "USER", text: "I led it", isFinal: true, segmentId: 3 } });
  ws.deliver({ transcriptRetracted: { segmentId: 4 } });
  ws.deliver({ error: { code: CODE_TOO_LARGE, message: "too big" } });
  ws.deliver({ error: { code: 4006, message: "too fast" } });
  const [audio] = of("audio");
  assert.equal(audio.rate, 24000);
  assert.deepEqual([...new Uint8Array(audio.pcm)], [1, 0, 2, 0]);
  assert.equal(of("interrupted").length, 1);
  assert.deepEqual(of("transcript"), [{ segmentId: 3, speaker: "USER", text: "I led it", final: true }]);
  assert.deepEqual(of("retracted"), [{ segmentId: 4 }]);
  assert.deepEqual(of("codeRejected"), [{ message: "too big" }]);
  assert.deepEqual(of("warning"), [{ code: 4006, message: "too fast" }]);
  assert.equal(of("failed").length, 0, "non-fatal errors leave the call up");
});

test("a dropped socket retries with backoff, each time with a fresh token, until SessionReady", () => {
  const { client, ws, of } = liveCall();
  ws.drop(1006);
  assert.equal(client.phase, "reconnecting");
  assert.deepEqual(of("status").at(-1), { phase: "reconnecting", attempt: 1, handover: false });
  mock.timers.tick(RETRY_DELAYS_MS[0] - 1);
  assert.equal(of("token").length, 1, "no token before the delay");
  mock.timers.tick(1);
  assert.deepEqual(of("token").at(-1), { resume: true });
  client.connect("tok-2");
  FakeSocket.all[1].drop(1006); // the retry fails too: the next delay is longer
  assert.equal(of("status").at(-1).attempt, 2);
  mock.timers.tick(RETRY_DELAYS_MS[1] - 1);
  assert.equal(of("token").length, 2);
  mock.timers.tick(1);
  assert.equal(of("token").length, 3);
  client.connect("tok-3");
  const third = FakeSocket.all[2];
  assert.equal(third.url.endsWith("tok-3"), true);
  third.open();
  third.deliver({ sessionReady: { interviewer: "gemini", elapsedMs: 4000 } });
  assert.equal(client.phase, "live");
  assert.equal(client.attempt, 0, "SessionReady resets the backoff");
});

test("a drop before the call was ever live says connecting, not reconnecting", () => {
  const { client, of } = makeClient();
  client.start();
  client.connect("tok-1");
  FakeSocket.all[0].drop(1006);
  assert.deepEqual(of("status").map((s) => s.phase), ["connecting", "connecting"]);
});

test("retries run out: the call fails as a network loss and stops asking", () => {
  const { client, ws, of } = liveCall();
  let socket = ws;
  for (const delay of RETRY_DELAYS_MS) {
    socket.drop(1006);
    mock.timers.tick(delay);
    client.connect(`tok-${FakeSocket.all.length + 1}`);
    socket = FakeSocket.all.at(-1);
  }
  socket.drop(1006);
  assert.deepEqual(of("failed"), [{ kind: "network", message: "" }]);
  assert.equal(client.phase, "failed");
  const tokens = of("token").length;
  mock.timers.tick(60_000);
  assert.equal(of("token").length, tokens);
  assert.equal(client.connect("late"), false);
});

test("a fatal close code or ErrorResponse ends the call without a retry", () => {
  const closed = liveCall();
  closed.ws.drop(4009, "This interview is already open in another window.");
  assert.deepEqual(closed.of("failed"), [{ kind: "already_open", message: "This interview is already open in another window." }]);

  const errored = liveCall();
  errored.ws.deliver({ error: { code: 4002, message: "The interviewer is unavailable." } });
  assert.deepEqual(errored.of("failed"), [{ kind: "ai_unavailable", message: "The interviewer is unavailable." }]);
  assert.equal(errored.ws.closedWith, 1000, "the client closes the socket itself");
  errored.ws.drop(4002); // the server's close arrives after: nothing more happens
  mock.timers.tick(60_000);
  assert.equal(errored.of("failed").length, 1);
  assert.equal(errored.of("token").length, 1);
});

test("resume: Reconnect{resumeToken} then a close rejoins at once with that token", () => {
  const { client, ws, of } = liveCall();
  ws.deliver({ reconnect: { resumeToken: "resume-abc" } });
  ws.drop(1012);
  assert.deepEqual(of("status").at(-1), { phase: "reconnecting", attempt: 0, handover: true });
  assert.equal(FakeSocket.all.length, 2, "no backoff: the next socket opens now");
  assert.equal(FakeSocket.all[1].url.endsWith("token=resume-abc"), true);
  assert.equal(of("token").length, 1, "the page was not asked for a token");
  FakeSocket.all[1].open();
  FakeSocket.all[1].deliver({ sessionReady: { interviewer: "gemini", elapsedMs: 90_000 } });
  assert.equal(client.phase, "live");
  assert.equal(of("ready").at(-1).elapsedMs, 90_000);
  // The resume token is used once: a later drop goes back to asking for fresh tokens.
  FakeSocket.all[1].drop(1006);
  mock.timers.tick(RETRY_DELAYS_MS[0]);
  assert.deepEqual(of("token").at(-1), { resume: true });
});

test("end: EndRequest at once, no more audio, then SessionEnded ends the call", () => {
  const { client, ws, of } = liveCall();
  client.end();
  assert.deepEqual(ws.payloads(), ["endRequest"]);
  assert.equal(client.phase, "ending");
  assert.equal(client.sendAudio(new ArrayBuffer(1280)), false, "the mic stops counting once End is pressed");
  assert.equal(client.sendCode({ code: "x", language: "python" }), false);
  client.end(); // a second press does nothing
  assert.deepEqual(ws.payloads(), ["endRequest"]);
  ws.deliver({ audioResponse: { audioContent: new Uint8Array(4), sampleRate: 24000 } }); // the goodbye still plays
  assert.equal(of("audio").length, 1);
  ws.deliver({ sessionEnded: { reason: 1 } });
  assert.deepEqual(of("ended"), [{ reason: "USER_INITIATED" }]);
  ws.drop(1000);
  mock.timers.tick(END_WAIT_MS * 2);
  assert.equal(of("ended").length, 1);
  assert.equal(of("failed").length, 0);
});

test("end: the interviewer's own ending carries its reason", () => {
  const { ws, of } = liveCall();
  ws.deliver({ sessionEnded: { reason: 2 } });
  assert.deepEqual(of("ended"), [{ reason: "GEMINI_ENDED" }]);
});

test("end: a socket that closes after EndRequest, or no answer at all, still ends the call", () => {
  const closes = liveCall();
  closes.client.end();
  closes.ws.drop(1006);
  assert.deepEqual(closes.of("ended"), [{ reason: "USER_INITIATED" }]);
  assert.equal(closes.of("token").length, 1, "no reconnect after End");

  const silent = liveCall();
  silent.client.end();
  mock.timers.tick(END_WAIT_MS - 1);
  assert.equal(silent.of("ended").length, 0);
  mock.timers.tick(1);
  assert.deepEqual(silent.of("ended"), [{ reason: "USER_INITIATED" }]);
});

test("end while reconnecting: over at once, and the pending retry never asks for a token", () => {
  const { client, ws, of } = liveCall();
  ws.drop(1006);
  client.end();
  assert.deepEqual(of("ended"), [{ reason: "USER_INITIATED" }]);
  mock.timers.tick(60_000);
  assert.equal(of("token").length, 1);
  assert.equal(client.connect("late"), false);
});

test("teardown: close() stops the socket, the timers and every event", () => {
  const { client, ws, events } = liveCall();
  ws.drop(1006); // a retry is pending
  const second = makeClient();
  second.client.start();
  second.client.connect("tok");
  const open = FakeSocket.all.at(-1);
  open.open();
  client.close();
  second.client.close();
  assert.equal(open.closedWith, 1000);
  assert.equal(open.onmessage, null, "handlers are detached");
  const before = events.length;
  mock.timers.tick(60_000);
  assert.equal(events.length, before, "a pending retry dies with the client");
  assert.equal(second.events.filter(([t]) => t === "failed" || t === "ended").length, 0, "close() is silent");
  assert.equal(client.connect("late"), false);
  assert.equal(second.client.sendAudio(new ArrayBuffer(2)), false);
});

test("the debug record observes the client without being read by it", () => {
  const host = {};
  const record = new DebugRecord(host);
  const { client } = makeClient();
  const stop = record.observeClient(client);
  client.start();
  client.connect("tok-1");
  const ws = FakeSocket.all[0];
  ws.open();
  ws.deliver({ sessionReady: { interviewer: "gemini" } });
  client.sendAudio(new ArrayBuffer(1280));
  ws.deliver({ reconnect: { resumeToken: "r" } });
  ws.drop(1012);
  const data = host.__preppalCall;
  assert.equal(data.sockets, 2);
  assert.equal(data.sentFrames, 1);
  assert.equal(data.sentBytes, 1280);
  assert.deepEqual(data.received, { sessionReady: 1, reconnect: 1 });
  assert.deepEqual(data.lastClose, { code: 1012, reason: "" });
  assert.equal(data.handedOver, 1);
  assert.equal(typeof data.readyAt, "number");
  stop();
  FakeSocket.all[1].open();
  FakeSocket.all[1].deliver({ sessionReady: { interviewer: "gemini" } });
  assert.equal(data.received.sessionReady, 1, "a stopped observer writes nothing");
});

// -- the player's drain (what the hook waits for before tearing a finished call down) --------

class FakeNode {
  constructor() {
    this.port = { onmessage: null, posted: [], postMessage: (m) => this.port.posted.push(m) };
    this.connected = true;
  }
  connect() {}
  disconnect() {
    this.connected = false;
  }
  report(state) {
    this.port.onmessage({ data: { type: "state", stats: {}, ...state } });
  }
}

function startedPlayer() {
  const nodes = [];
  globalThis.AudioWorkletNode = class extends FakeNode {
    constructor() {
      super();
      nodes.push(this);
    }
  };
  const player = new AudioPlayer({ destination: {} });
  player.start();
  return { player, node: nodes[0] };
}

test("drained() waits for the queued voice to finish playing", async () => {
  const { player, node } = startedPlayer();
  node.report({ speaking: true, level: 0.4, bufferedMs: 800 });
  let done = false;
  const drained = player.drained(5000).then(() => (done = true));
  node.report({ speaking: true, level: 0.4, bufferedMs: 200 });
  await Promise.resolve();
  assert.equal(done, false);
  node.report({ speaking: false, level: 0, bufferedMs: 0 });
  await drained;
  assert.equal(done, true);
});

test("drained() gives up after its bound, and is immediate when nothing plays", async () => {
  const { player, node } = startedPlayer();
  await player.drained(5000); // nothing ever played
  node.report({ speaking: true, level: 0.4, bufferedMs: 60_000 });
  let done = false;
  const drained = player.drained(5000).then(() => (done = true));
  mock.timers.tick(4999);
  await Promise.resolve();
  assert.equal(done, false);
  mock.timers.tick(1);
  await drained;
  assert.equal(done, true);
  player.stop();
  assert.equal(node.connected, false);
  assert.equal(node.port.onmessage, null);
});

test("holding the floor is a HoldFloor frame each way, and nothing before the socket is open", () => {
  const { client, ws } = liveCall();
  assert.equal(client.holdFloor(true), true);
  assert.equal(client.holdFloor(false), true);
  const holds = ws.sent.filter((m) => m.payload === "holdFloor").map((m) => m.holdFloor.held);
  assert.deepEqual(holds, [true, false]);
  const idle = makeClient().client;
  assert.equal(idle.holdFloor(true), false);
});
