// The live-call component: microphone → capture worklet → protobuf over the relay
// WebSocket → playback worklet, wrapped by preppal/components/audio_call.py.
//
// Reflex owns the page state; this component owns the browser-only parts (audio graph,
// socket, level meters that update 20×/s without server round trips) and reports each
// phase change back through `onStateChange`. Flow:
//   click Start (a user gesture: AudioContext.resume() for Safari, mic prompt)
//   → worklets loaded → onRequestToken() → Reflex mints a worker token → `token` prop
//   → WebSocket /ws/interview/<id>?token=… → SessionReady → live.
// A dropped socket while live retries with backoff, each time with a fresh token; a server
// that is shutting down sends Reconnect{resumeToken} first, and the call rejoins at once.
// window.__preppalCall exposes counters for the end-to-end tests and the latency bench.
// The code editor (code_editor.jsx) shares this socket through code_channel.js: snapshots go
// out as CodeSnapshot frames while the call is live, flushed at each candidate turn's end.
import React, { useEffect, useRef, useState } from "react";
import { Button, Text } from "@radix-ui/themes";
import { preppal } from "./proto/interview_pb.js";
import { CallMeters, debugState, micErrorKind, resetDebug, socketURL } from "./call_parts.jsx";
import * as codeChannel from "./code_channel.js";

const { ClientToServerMessage, ServerToClientMessage } = preppal;
const TARGET_RATE = 16000;
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 8000];
const END_REASONS = ["REASON_UNSPECIFIED", "USER_INITIATED", "GEMINI_ENDED", "TIMEOUT"];
const END_WAIT_MS = 10000; // EndRequest sent, no SessionEnded: give up waiting
const DRAIN_MAX_MS = 5000; // let the interviewer finish its goodbye before leaving


export function AudioCall({
  interviewId,
  token,
  frameMs = 40,
  muted = false,
  endRequested = false,
  maxDurationS = 3600,
  startLabel = "Start interview",
  stop = false,
  pagePhase = "",
  fatalCodes = {}, // close/error code → error kind that ends the call (from preppal/codes.py)
  codeTooLarge = 0, // the code of "editor snapshot over the cap" (the call goes on)
  onRequestToken,
  onStateChange,
}) {
  const [started, setStarted] = useState(false);
  const [stopped, setStopped] = useState(false);
  const [busy, setBusy] = useState(false);
  const [liveSince, setLiveSince] = useState(null);
  const [now, setNow] = useState(Date.now());
  const [capS, setCapS] = useState(maxDurationS);
  const micBar = useRef(null);
  const aiDot = useRef(null);
  const aiLabel = useRef(null);
  const call = useRef({}); // mutable call resources, never a reason to re-render
  const props = useRef({});
  props.current = { onRequestToken, onStateChange, interviewId, frameMs, muted, fatalCodes, codeTooLarge };

  const report = (info) => {
    const dbg = debugState();
    if (info.phase) dbg.phase = info.phase;
    if (info.error) dbg.error = info.error;
    if (props.current.onStateChange) props.current.onStateChange(info);
  };

  const sendCode = (snapshot) => {
    const ws = call.current.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || call.current.ending) return false;
    ws.send(ClientToServerMessage.encode({ codeSnapshot: snapshot }).finish());
    return true;
  };

  const teardown = () => {
    const c = call.current;
    codeChannel.setSender(null);
    clearTimeout(c.retryTimer);
    clearTimeout(c.endTimer);
    if (c.ws) {
      c.ws.onclose = c.ws.onmessage = c.ws.onerror = null;
      try {
        c.ws.close(1000);
      } catch (_) {}
    }
    if (c.capture) c.capture.port.postMessage({ type: "stop" });
    if (c.stream) c.stream.getTracks().forEach((t) => t.stop());
    if (c.ctx && c.ctx.state !== "closed") c.ctx.close().catch(() => {});
    call.current = { done: true };
  };

  useEffect(() => teardown, []);

  // Closing or reloading the tab mid-call asks first (the relay would wait 30 s for a rejoin,
  // then end the interview as failed).
  useEffect(() => {
    if (!liveSince || stopped) return undefined;
    const ask = (event) => {
      if (call.current.ended || call.current.done) return;
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [liveSince, stopped]);

  const finish = (reason) => {
    // SessionEnded: stop sending, let queued AI audio play out (bounded), then report.
    const c = call.current;
    if (c.finishing) return;
    c.finishing = true;
    c.ended = true;
    codeChannel.endCall();
    clearTimeout(c.endTimer);
    if (c.capture) c.capture.port.postMessage({ type: "stop" });
    report({ phase: "ending", reason });
    const t0 = Date.now();
    const wait = () => {
      const pb = debugState().playback;
      if (pb && (pb.speaking || pb.bufferedMs > 0) && Date.now() - t0 < DRAIN_MAX_MS) setTimeout(wait, 100);
      else {
        teardown();
        report({ phase: "ending", ended: true, reason });
      }
    };
    wait();
  };

  const fail = (kind, message = "") => {
    const c = call.current;
    if (c.ended) return;
    c.ended = true;
    codeChannel.endCall();
    teardown();
    setStopped(true);
    report({ phase: "ending", error: kind, message });
  };

  const onServerMessage = (event) => {
    const c = call.current;
    let msg;
    try {
      msg = ServerToClientMessage.decode(new Uint8Array(event.data));
    } catch (err) {
      console.warn("undecodable server frame", err);
      return;
    }
    const dbg = debugState();
    dbg.received[msg.payload] = (dbg.received[msg.payload] || 0) + 1;
    switch (msg.payload) {
      case "sessionReady": {
        c.relayLive = true;
        const r = msg.sessionReady;
        if (dbg.readyAt === null) dbg.readyAt = performance.now();
        c.attempt = 0;
        c.outputRate = r.outputSampleRate || 24000;
        if (r.maxDurationS) setCapS(r.maxDurationS);
        if (!c.liveSince) {
          c.liveSince = Date.now();
          setLiveSince(c.liveSince);
        }
        report({ phase: "live", interviewer: r.interviewer, maxDurationS: r.maxDurationS });
        codeChannel.setSender(sendCode);
        break;
      }
      case "audioResponse": {
        if (dbg.firstAudioMsgAt === null) dbg.firstAudioMsgAt = performance.now();
        const bytes = msg.audioResponse.audioContent;
        const pcm = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const rate = msg.audioResponse.sampleRate || 16000;
        c.playback.port.postMessage({ type: "audio", pcm, rate }, [pcm]);
        break;
      }
      case "interrupted":
        c.playback.port.postMessage({ type: "flush" });
        break;
      case "transcriptUpdate":
        // The relay pushes the transcript into the page's Reflex state (one source for
        // the rendered text); here it is only counted for tests.
        dbg.lastTranscript = { speaker: msg.transcriptUpdate.speaker, final: msg.transcriptUpdate.isFinal };
        // The candidate's turn ended: the interviewer gets the code as it is now.
        if (msg.transcriptUpdate.speaker === "USER" && msg.transcriptUpdate.isFinal) codeChannel.requestFlush();
        break;
      case "error": {
        const kind = props.current.fatalCodes[String(msg.error.code)];
        if (kind) fail(kind, msg.error.message);
        else if (msg.error.code === props.current.codeTooLarge) codeChannel.reportRejected(msg.error.message);
        else console.warn("relay warning", msg.error.code, msg.error.message);
        break;
      }
      case "sessionEnded":
        finish(END_REASONS[msg.sessionEnded.reason] || "REASON_UNSPECIFIED");
        break;
      case "reconnect":
        // The server hands the interview over (deploy): rejoin now, on another server.
        c.resumeToken = msg.reconnect.resumeToken;
        break;
      default:
        console.warn("unknown server message", msg.payload);
    }
  };

  const onSocketClosed = (event) => {
    const c = call.current;
    const dbg = debugState();
    dbg.lastClose = { code: event.code, reason: event.reason };
    c.ws = null;
    c.relayLive = false;
    codeChannel.setSender(null);
    if (c.ended || c.done) return;
    const kind = props.current.fatalCodes[String(event.code)];
    if (kind) return fail(kind, event.reason);
    if (c.ending) return finish("USER_INITIATED"); // closed right after our EndRequest
    if (c.resumeToken) {
      const tok = c.resumeToken;
      c.resumeToken = null;
      dbg.handedOver = (dbg.handedOver || 0) + 1;
      report({ phase: "reconnecting", attempt: c.attempt });
      return openSocket(tok);
    }
    // Network lost (1006), server restart (1001/1012), …: retry with a fresh token.
    if (c.attempt >= RETRY_DELAYS_MS.length) return fail("network");
    const delay = RETRY_DELAYS_MS[c.attempt++];
    report({ phase: c.liveSince ? "reconnecting" : "connecting", attempt: c.attempt });
    c.retryTimer = setTimeout(() => props.current.onRequestToken && props.current.onRequestToken(true), delay);
  };

  const openSocket = (tok) => {
    const c = call.current;
    if (c.ended || c.done || !c.ctx) return;
    const ws = new WebSocket(socketURL(props.current.interviewId, tok));
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      const dbg = debugState();
      if (dbg.openAt === null) dbg.openAt = performance.now();
    };
    ws.onmessage = onServerMessage;
    ws.onclose = onSocketClosed;
    c.ws = ws;
    debugState().sockets += 1;
  };

  // A fresh token from Reflex means: (re)connect with it.
  useEffect(() => {
    if (token && started && debugState().tokenAt === null) debugState().tokenAt = performance.now();
    if (token && started) openSocket(token);
  }, [token]);

  // The page's state was loaded afresh while this call runs (its Reflex socket reconnected to
  // another server after the one it used went away): tell it where the call really is.
  useEffect(() => {
    const c = call.current;
    if (pagePhase !== "initializing" || !started || c.ended || c.done || !c.liveSince) return;
    report({ phase: c.relayLive ? "live" : "reconnecting", attempt: c.attempt });
  }, [pagePhase]);

  // Reflex decided the call is over (e.g. the interview could not be rejoined).
  useEffect(() => {
    if (stop && started) {
      call.current.ended = true;
      teardown();
      setStopped(true);
    }
  }, [stop]);

  useEffect(() => {
    const c = call.current;
    if (c.stream) c.stream.getAudioTracks().forEach((t) => (t.enabled = !muted));
    if (muted && micBar.current) micBar.current.style.width = "0%";
  }, [muted]);

  useEffect(() => {
    const c = call.current;
    if (!endRequested || !started || c.ending) return;
    codeChannel.requestFlush(); // the final code goes out before EndRequest
    c.ending = true;
    if (c.ws && c.ws.readyState === WebSocket.OPEN) {
      c.ws.send(ClientToServerMessage.encode({ endRequest: {} }).finish());
      report({ phase: "ending" });
      c.endTimer = setTimeout(() => finish("USER_INITIATED"), END_WAIT_MS);
    } else {
      finish("USER_INITIATED");
    }
  }, [endRequested]);

  useEffect(() => {
    if (!liveSince) return undefined;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [liveSince]);

  const start = async () => {
    if (busy) return;
    const dbg = resetDebug();
    dbg.startClickedAt = performance.now();
    setBusy(true);
    teardown();
    const c = (call.current = { attempt: 0 });
    report({ phase: "connecting" });
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx || !navigator.mediaDevices || !window.AudioWorkletNode) {
      setBusy(false);
      return report({ phase: "initializing", error: "unsupported" });
    }
    // Created and resumed inside the click: Safari only starts audio from a user gesture.
    c.ctx = new Ctx({ latencyHint: "interactive" });
    const resumed = c.ctx.resume();
    const worklets = Promise.all([
      c.ctx.audioWorklet.addModule("/audio/capture-processor.js"),
      c.ctx.audioWorklet.addModule("/audio/playback-processor.js"),
    ]);
    worklets.catch(() => {}); // awaited below; if the mic fails first, the context closes and this rejects
    try {
      c.stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
      });
    } catch (err) {
      const kind = micErrorKind(err);
      teardown();
      setBusy(false);
      return report({ phase: "initializing", error: kind, message: String((err && err.message) || err) });
    }
    dbg.micAt = performance.now();
    try {
      await Promise.all([resumed, worklets]);
      const ctx = c.ctx;
      const track = c.stream.getAudioTracks()[0];
      const settings = (track && track.getSettings && track.getSettings()) || {};
      const supported = navigator.mediaDevices.getSupportedConstraints() || {};
      const echo = Boolean(supported.echoCancellation) && settings.echoCancellation !== false;
      dbg.contextRate = ctx.sampleRate;
      dbg.echoCancellation = echo;
      track.enabled = !muted;

      const capture = new AudioWorkletNode(ctx, "preppal-capture", {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        processorOptions: { targetRate: TARGET_RATE, frameMs: props.current.frameMs },
      });
      const sink = ctx.createGain(); // keeps the capture node pulled by the graph, silently
      sink.gain.value = 0;
      ctx.createMediaStreamSource(c.stream).connect(capture).connect(sink).connect(ctx.destination);
      capture.port.onmessage = ({ data }) => {
        if (data.type === "frame") {
          const ws = call.current.ws;
          if (ws && ws.readyState === WebSocket.OPEN && !call.current.ending) {
            const bytes = ClientToServerMessage.encode({ audioChunk: { audioContent: new Uint8Array(data.pcm) } }).finish();
            ws.send(bytes);
            dbg.sentFrames += 1;
            dbg.sentBytes += data.pcm.byteLength;
            if (dbg.frameSizes.length < 20) dbg.frameSizes.push(data.pcm.byteLength);
          }
        } else if (data.type === "level" && micBar.current) {
          const level = props.current.muted ? 0 : data.level; // muted: the meter shows it at once
          micBar.current.style.width = `${Math.round(level * 100)}%`;
        }
      };
      const playback = new AudioWorkletNode(ctx, "preppal-playback", {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions: { startMs: 100 },
      });
      playback.connect(ctx.destination);
      playback.port.onmessage = ({ data }) => {
        if (data.type !== "state") return;
        dbg.playback = data;
        if (data.stats.played > 0 && dbg.firstAudioAt === null) dbg.firstAudioAt = performance.now();
        if (aiDot.current) {
          aiDot.current.style.transform = `scale(${data.speaking ? 1 + data.level * 0.8 : 1})`;
          aiDot.current.style.background = data.speaking ? "var(--accent-9)" : "var(--gray-6)";
          aiLabel.current.textContent = data.speaking ? "Interviewer speaking" : "Interviewer listening";
        }
      };
      c.capture = capture;
      c.playback = playback;
      report({ phase: "connecting", echoCancellation: echo, contextRate: ctx.sampleRate });
      setStarted(true);
      setBusy(false);
      if (props.current.onRequestToken) props.current.onRequestToken(false);
    } catch (err) {
      console.error("audio setup failed", err);
      teardown();
      setBusy(false);
      report({ phase: "initializing", error: "audio_failed", message: String((err && err.message) || err) });
    }
  };

  if (stopped) return <Text color="gray" data-testid="call-stopped">The call has ended.</Text>;
  if (!started) {
    return (
      <Button size="4" onClick={start} disabled={busy} data-testid="start-call">
        {busy ? "Preparing microphone…" : startLabel}
      </Button>
    );
  }
  return <CallMeters micBar={micBar} aiDot={aiDot} aiLabel={aiLabel} muted={muted} liveSince={liveSince} now={now} capS={capS} />;
}
