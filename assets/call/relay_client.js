// The relay client: one candidate's WebSocket to /ws/interview/<id>, speaking the protobuf
// contract of proto/interview.proto. A plain class with typed events (no React, no audio),
// in the manner of live-api-web-console's GenAILiveClient; use_call.js composes it with the
// microphone (mic_recorder.js) and the speaker (audio_player.js).
//
// What it decides, and nothing else: which socket is open, what a frame means, when to
// retry (a dropped socket → ask for a fresh token, with backoff), when to rejoin at once
// (the server handed the interview over: Reconnect{resumeToken} then a close), when the
// call is over (SessionEnded, a fatal code, End confirmed or timed out, retries spent).
//
// Phases: idle → connecting → live ⇄ reconnecting → ending → ended | failed; close() at
// any point stops everything without a word (the page is leaving).
//
// Events (name → payload):
//   "status"       {phase, attempt, handover}   each phase change (and each retry)
//   "token"        {resume}    a worker token is needed: answer with connect(token)
//   "ready"        {interviewer, outputSampleRate, maxDurationS, elapsedMs}  SessionReady
//   "audio"        {pcm: ArrayBuffer, rate}      the interviewer's voice (PCM16 mono)
//   "interrupted"  {}          barge-in: drop the queued voice
//   "transcript"   {segmentId, speaker, text, final}
//   "retracted"    {segmentId}  the interviewer withdrew a line (it misjudged the end of a turn)
//   "codeRejected" {message}   the relay refused a code snapshot (the call goes on)
//   "warning"      {code, message}   any other non-fatal ErrorResponse
//   "ended"        {reason}    the interview is over (a SessionEnded reason name)
//   "failed"       {kind, message}   the call cannot go on (kind: fatalCodes value or "network")
// and wire observations for the debug record: "socket" {event: "opening" | "open" | "close",
// code, reason}, "received" {payload}, "sent" {payload, bytes}.
import { preppal } from "../proto/interview_pb.js";
import { Emitter } from "./emitter.js";

const { ClientToServerMessage, ServerToClientMessage } = preppal;

export const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 8000];
export const END_WAIT_MS = 10000; // EndRequest sent, no SessionEnded: the call is over anyway
export const END_REASONS = ["REASON_UNSPECIFIED", "USER_INITIATED", "GEMINI_ENDED", "TIMEOUT"];
const OPEN = 1; // WebSocket.OPEN (not read from the class: tests pass their own)
const OVER = new Set(["ended", "failed", "closed"]);

export class RelayClient extends Emitter {
  /**
   * @param {object} options
   * @param {(token: string) => string} options.urlFor  the socket URL for a worker token
   * @param {Record<string, string>} [options.fatalCodes]  close/error code → error kind (preppal/codes.py)
   * @param {number} [options.codeTooLarge]  the code of "code snapshot over the cap"
   * @param {typeof WebSocket} [options.WebSocketImpl]
   */
  constructor({
    urlFor,
    fatalCodes = {},
    codeTooLarge = 0,
    WebSocketImpl = globalThis.WebSocket,
    retryDelaysMs = RETRY_DELAYS_MS,
    endWaitMs = END_WAIT_MS,
  }) {
    super();
    this._urlFor = urlFor;
    this._fatal = fatalCodes;
    this._codeTooLarge = codeTooLarge;
    this._WebSocket = WebSocketImpl;
    this._delays = retryDelaysMs;
    this._endWaitMs = endWaitMs;
    this.phase = "idle";
    this.attempt = 0; // failed reconnects in a row (reset by SessionReady)
    this.wasLive = false;
    this._ws = null;
    this._resumeToken = null;
    this._retryTimer = null;
    this._endTimer = null;
  }

  get over() {
    return OVER.has(this.phase);
  }

  /** The socket is open and the call not ending: frames may be sent. */
  get canSend() {
    return Boolean(this._ws && this._ws.readyState === OPEN) && !this.over && this.phase !== "ending";
  }

  /** Begin: ask for the first token. */
  start() {
    if (this.phase !== "idle") return;
    this._setPhase("connecting");
    this.emit("token", { resume: false });
  }

  /** Open the socket with a worker token (the answer to a "token" event). */
  connect(token) {
    if (!token || this._ws || (this.phase !== "connecting" && this.phase !== "reconnecting")) return false;
    this._open(token);
    return true;
  }

  /** One frame of the candidate's voice (PCM16 16 kHz mono). */
  sendAudio(pcm) {
    return this.send({ audioChunk: { audioContent: new Uint8Array(pcm) } }, pcm.byteLength);
  }

  /** The code editor's whole text ({code, language}). */
  sendCode(snapshot) {
    return this.send({ codeSnapshot: snapshot });
  }

  /** The candidate holds the floor (true) or hands the turn decision back (false): HoldFloor. */
  holdFloor(held) {
    return this.send({ holdFloor: { held: Boolean(held) } });
  }

  /** Any ClientToServerMessage payload object (e.g. {endRequest: {}}); false if not sent. */
  send(message, bytes = 0) {
    if (!this.canSend) return false;
    this._ws.send(ClientToServerMessage.encode(message).finish());
    this.emit("sent", { payload: Object.keys(message)[0], bytes });
    return true;
  }

  /** The candidate pressed End: EndRequest, then SessionEnded (or the socket's close, or a timeout). */
  end() {
    if (this.over || this.phase === "ending") return;
    this._clearRetry();
    const open = this.canSend;
    if (open) this.send({ endRequest: {} });
    this._setPhase("ending");
    if (open) this._endTimer = setTimeout(() => this._finish("USER_INITIATED"), this._endWaitMs);
    else this._finish("USER_INITIATED");
  }

  /** Stop everything now, silently (teardown). */
  close() {
    if (this.phase === "closed") return;
    this._stopTimers();
    this._dropSocket();
    this.phase = "closed";
  }

  // -- internals -----------------------------------------------------------------------------
  _setPhase(phase, extra = {}) {
    this.phase = phase;
    this.emit("status", { phase, attempt: this.attempt, handover: false, ...extra });
  }

  _open(token) {
    const ws = new this._WebSocket(this._urlFor(token));
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this._ws === ws && this.emit("socket", { event: "open" });
    ws.onmessage = (event) => this._ws === ws && this._onMessage(event.data);
    ws.onclose = (event) => this._onClose(ws, event);
    ws.onerror = () => {}; // a close always follows
    this._ws = ws;
    this.emit("socket", { event: "opening" });
  }

  _onMessage(data) {
    if (this.over) return;
    let msg;
    try {
      msg = ServerToClientMessage.decode(new Uint8Array(data));
    } catch (err) {
      console.warn("undecodable server frame", err);
      return;
    }
    this.emit("received", { payload: msg.payload });
    switch (msg.payload) {
      case "sessionReady": {
        const r = msg.sessionReady;
        this.attempt = 0;
        this.wasLive = true;
        this.emit("ready", {
          interviewer: r.interviewer,
          outputSampleRate: r.outputSampleRate || 24000,
          maxDurationS: r.maxDurationS || 0,
          elapsedMs: r.elapsedMs || 0,
        });
        if (this.phase !== "ending") this._setPhase("live");
        break;
      }
      case "audioResponse": {
        const bytes = msg.audioResponse.audioContent;
        const pcm = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        this.emit("audio", { pcm, rate: msg.audioResponse.sampleRate || 16000 });
        break;
      }
      case "interrupted":
        this.emit("interrupted", {});
        break;
      case "transcriptUpdate": {
        const t = msg.transcriptUpdate;
        this.emit("transcript", { segmentId: t.segmentId, speaker: t.speaker, text: t.text, final: t.isFinal });
        break;
      }
      case "transcriptRetracted":
        this.emit("retracted", { segmentId: msg.transcriptRetracted.segmentId });
        break;
      case "error": {
        const { code, message } = msg.error;
        const kind = this._fatal[String(code)];
        if (kind) this._fail(kind, message);
        else if (code === this._codeTooLarge) this.emit("codeRejected", { message });
        else this.emit("warning", { code, message });
        break;
      }
      case "sessionEnded":
        this._finish(END_REASONS[msg.sessionEnded.reason] || "REASON_UNSPECIFIED");
        break;
      case "reconnect":
        // The server hands the interview over (a deploy): rejoin as soon as it closes.
        this._resumeToken = msg.reconnect.resumeToken;
        break;
      default:
        console.warn("unknown server message", msg.payload);
    }
  }

  _onClose(ws, event) {
    if (ws !== this._ws) return;
    this._ws = null;
    this.emit("socket", { event: "close", code: event.code, reason: event.reason });
    if (this.over) return;
    const kind = this._fatal[String(event.code)];
    if (kind) return this._fail(kind, event.reason);
    if (this.phase === "ending") return this._finish("USER_INITIATED"); // closed right after our EndRequest
    if (this._resumeToken) {
      const token = this._resumeToken;
      this._resumeToken = null;
      this._setPhase("reconnecting", { handover: true });
      return this._open(token);
    }
    // Network lost (1006), server restart (1001/1012), …: retry with a fresh token.
    if (this.attempt >= this._delays.length) return this._fail("network", "");
    const delay = this._delays[this.attempt++];
    this._setPhase(this.wasLive ? "reconnecting" : "connecting");
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (!this.over) this.emit("token", { resume: true });
    }, delay);
  }

  _finish(reason) {
    if (this.over) return;
    this._stopTimers();
    this.phase = "ended";
    this.emit("ended", { reason });
  }

  _fail(kind, message) {
    if (this.over) return;
    this._stopTimers();
    this._dropSocket();
    this.phase = "failed";
    this.emit("failed", { kind, message: message || "" });
  }

  _clearRetry() {
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
  }

  _stopTimers() {
    this._clearRetry();
    clearTimeout(this._endTimer);
    this._endTimer = null;
  }

  _dropSocket() {
    const ws = this._ws;
    this._ws = null;
    if (!ws) return;
    ws.onopen = ws.onclose = ws.onmessage = ws.onerror = null;
    try {
      ws.close(1000);
    } catch (_) {
      // already closed
    }
  }
}
