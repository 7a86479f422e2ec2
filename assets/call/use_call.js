// useCall: the live call as a React hook (the role of live-api-web-console's useLiveAPI).
//
// It composes the three plain parts — RelayClient (socket + protobuf), MicRecorder (mic →
// frames), AudioPlayer (voice → speakers) — and the code editor's channel, and keeps what
// the view needs as React state. Every decision about the socket is the client's; this hook
// only wires events and owns the audio graph's life (created in the Start click, torn down
// once, when the call is over or the page leaves).
//
// The page (Reflex, preppal/state/meeting.py) is told through `onStateChange(info)`:
// {phase, attempt, interviewer, maxDurationS, echoCancellation, contextRate, error, message,
// ended, reason}. The page's `phase` has no other writer; when the page's copy (`pagePhase`)
// differs from the call's (its state was reloaded while the call ran, or it still shows a
// phase from before a reload), the hook reports the call's phase again.
import { useEffect, useRef, useState } from "react";
import env from "$/env.json";
import { getBackendURL } from "$/utils/state";
import * as codeChannel from "../code_channel.js";
import { AudioPlayer } from "./audio_player.js";
import { DebugRecord } from "./debug_record.js";
import { MicRecorder } from "./mic_recorder.js";
import { RelayClient } from "./relay_client.js";

const DRAIN_MAX_MS = 5000; // let the interviewer finish its goodbye before leaving
// Where Space is typing, not holding the floor (the code editor, any field).
const TYPING = ".cm-editor, input, textarea, select, [contenteditable]";
export const IN_CALL = new Set(["connecting", "live", "reconnecting"]);

export function socketURL(interviewId, token) {
  const url = getBackendURL(env.EVENT); // right host/port in dev (:8000) and prod (one port)
  url.pathname = `/ws/interview/${encodeURIComponent(interviewId)}`;
  url.search = `?token=${encodeURIComponent(token)}`;
  return url.toString();
}

export function useCall({
  interviewId,
  token,
  frameMs = 40,
  maxDurationS = 3600,
  fatalCodes = {},
  codeTooLarge = 0,
  pagePhase = "",
  stop = false,
  onRequestToken,
  onStateChange,
}) {
  const [phase, setPhase] = useState("initializing");
  const [busy, setBusy] = useState(false); // the Start click is setting up audio
  const [stopped, setStopped] = useState(false); // failed or stopped by the page: nothing more
  const [muted, setMutedState] = useState(false);
  const [liveSince, setLiveSince] = useState(null); // Date.now() of the interview's first live moment
  const [capS, setCapS] = useState(maxDurationS);
  const [parts, setParts] = useState(null); // {recorder, player} once audio runs (the meters listen)
  const [holding, setHolding] = useState(false); // the candidate holds the floor (Space, "Thinking…")
  const [interviewer, setInterviewer] = useState(""); // "offline" | "gemini", from SessionReady
  const held = useRef(false);
  const call = useRef(null); // {ctx, recorder, player, client, debug, stops, ready}: never re-renders
  const truth = useRef("initializing"); // the phase last reported to the page
  const mounted = useRef(true); // an unmounted call says nothing more to the page
  const latest = useRef({});
  latest.current = { interviewId, frameMs, fatalCodes, codeTooLarge, onRequestToken, onStateChange, muted };

  const report = (info) => {
    if (!mounted.current) return;
    if (info.phase) {
      truth.current = info.phase;
      setPhase(info.phase);
    }
    if (call.current) call.current.debug.noteReport(info);
    if (latest.current.onStateChange) latest.current.onStateChange(info);
  };

  const teardown = () => {
    const c = call.current;
    call.current = null;
    if (!c) return;
    codeChannel.setSender(null);
    c.stops.forEach((unsubscribe) => unsubscribe());
    if (c.client) c.client.close();
    c.recorder.stop();
    if (c.player) c.player.stop();
    if (c.ctx.state !== "closed") c.ctx.close().catch(() => {});
  };

  // SessionEnded (or End confirmed): stop the mic, let the goodbye play out (bounded), leave.
  const finish = async (c, reason) => {
    codeChannel.endCall();
    c.recorder.stop();
    report({ phase: "ending", reason });
    await c.player.drained(DRAIN_MAX_MS);
    if (call.current !== c) return;
    teardown();
    report({ phase: "ending", ended: true, reason });
  };

  const fail = (kind, message) => {
    codeChannel.endCall();
    teardown();
    setStopped(true);
    report({ phase: "ending", error: kind, message });
  };

  const wire = (c) => {
    const { client, recorder, player } = c;
    return [
      recorder.on("frame", ({ pcm }) => client.sendAudio(pcm)),
      client.on("token", ({ resume }) => latest.current.onRequestToken && latest.current.onRequestToken(resume)),
      client.on("ready", (ready) => {
        c.ready = ready;
        setInterviewer(ready.interviewer || "");
        if (held.current) client.holdFloor(true); // a new socket starts released: hold again
        if (ready.maxDurationS) setCapS(ready.maxDurationS);
        // The server counts from the interview's first live moment, so a reloaded page or
        // another tab that rejoins shows the same elapsed time.
        setLiveSince((since) => (ready.elapsedMs || since === null ? Date.now() - ready.elapsedMs : since));
        codeChannel.setSender((snapshot) => client.sendCode(snapshot));
      }),
      client.on("status", ({ phase: next, attempt }) => {
        const ready = next === "live" && c.ready ? { interviewer: c.ready.interviewer, maxDurationS: c.ready.maxDurationS } : {};
        report({ phase: next, attempt, ...ready });
      }),
      client.on("socket", ({ event }) => event === "close" && codeChannel.setSender(null)),
      client.on("audio", ({ pcm, rate }) => player.play(pcm, rate)),
      client.on("interrupted", () => player.flush()),
      // The candidate's turn ended: the interviewer gets the code as it is now.
      client.on("transcript", ({ speaker, final }) => speaker === "USER" && final && codeChannel.requestFlush()),
      client.on("codeRejected", ({ message }) => codeChannel.reportRejected(message)),
      client.on("warning", ({ code, message }) => console.warn("relay warning", code, message)),
      client.on("ended", ({ reason }) => finish(c, reason)),
      client.on("failed", ({ kind, message }) => fail(kind, message)),
    ];
  };

  const start = async () => {
    if (busy || call.current) return;
    const debug = new DebugRecord();
    debug.mark("startClickedAt");
    setBusy(true);
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx || !navigator.mediaDevices || !window.AudioWorkletNode) {
      setBusy(false);
      return report({ phase: "initializing", error: "unsupported" });
    }
    report({ phase: "connecting" });
    // Created and resumed inside the click: Safari only starts audio from a user gesture.
    const ctx = new Ctx({ latencyHint: "interactive" });
    const resumed = ctx.resume();
    const modules = Promise.all([
      ctx.audioWorklet.addModule("/audio/capture-processor.js"),
      ctx.audioWorklet.addModule("/audio/playback-processor.js"),
    ]);
    modules.catch(() => {}); // awaited below; if the mic fails first, the context closes and this rejects
    const recorder = new MicRecorder(ctx);
    const c = { ctx, recorder, debug, stops: [], client: null, player: null, ready: null };
    call.current = c;
    try {
      await recorder.open();
    } catch (err) {
      teardown();
      setBusy(false);
      return report({ phase: "initializing", error: err.kind || "mic_failed", message: err.message || "" });
    }
    debug.mark("micAt");
    try {
      await Promise.all([resumed, modules]);
      if (call.current !== c) return; // the page left meanwhile
      recorder.setMuted(latest.current.muted);
      recorder.start({ frameMs: latest.current.frameMs });
      c.player = new AudioPlayer(ctx);
      c.player.start();
      c.client = new RelayClient({
        urlFor: (tok) => socketURL(latest.current.interviewId, tok),
        fatalCodes: latest.current.fatalCodes,
        codeTooLarge: latest.current.codeTooLarge,
      });
      c.stops.push(debug.observeClient(c.client), debug.observePlayer(c.player), ...wire(c));
      debug.set({ contextRate: ctx.sampleRate, echoCancellation: recorder.echoCancellation });
      report({ echoCancellation: recorder.echoCancellation, contextRate: ctx.sampleRate });
      setParts({ recorder, player: c.player });
      setBusy(false);
      c.client.start();
    } catch (err) {
      console.error("audio setup failed", err);
      teardown();
      setBusy(false);
      report({ phase: "initializing", error: "audio_failed", message: String((err && err.message) || err) });
    }
  };

  /** End acts at once in the browser: the final code, then EndRequest; the page hears "ending". */
  const end = () => {
    const c = call.current;
    if (!c || !c.client) return;
    codeChannel.requestFlush(); // the final code goes out before EndRequest
    c.client.end();
  };

  /** Hold the floor (Space or the "Thinking…" button): acts at once, no Reflex round trip. */
  const hold = (on) => {
    const next = Boolean(on);
    if (held.current === next) return;
    held.current = next;
    setHolding(next);
    const c = call.current;
    if (c && c.client) c.client.holdFloor(next);
    if (c) c.debug.set({ holding: next });
  };

  const setMuted = (next) => {
    setMutedState(next);
    if (call.current) call.current.recorder.setMuted(next);
  };

  // Space holds the floor while the call is on (not while typing in the editor or a field);
  // leaving the window or the tab lets go, so a lost key-up never holds for ever.
  const inCall = IN_CALL.has(phase) && parts !== null && !stopped;
  useEffect(() => {
    if (!inCall) {
      hold(false);
      return undefined;
    }
    const typing = (event) => event.target && event.target.closest && event.target.closest(TYPING);
    const down = (event) => {
      if (event.code !== "Space" || typing(event)) return;
      event.preventDefault(); // no page scroll, no click on a focused button
      if (!event.repeat) hold(true);
    };
    const up = (event) => {
      if (event.code !== "Space" || typing(event)) return;
      event.preventDefault();
      hold(false);
    };
    const letGo = () => hold(false);
    const hidden = () => document.hidden && hold(false);
    window.addEventListener("keydown", down);
    window.addEventListener("keyup", up);
    window.addEventListener("blur", letGo);
    document.addEventListener("visibilitychange", hidden);
    return () => {
      window.removeEventListener("keydown", down);
      window.removeEventListener("keyup", up);
      window.removeEventListener("blur", letGo);
      document.removeEventListener("visibilitychange", hidden);
    };
  }, [inCall]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      teardown();
    };
  }, []);

  // A fresh token from the page means: (re)connect with it.
  useEffect(() => {
    const c = call.current;
    if (!token || !c || !c.client) return;
    c.debug.mark("tokenAt");
    c.client.connect(token);
  }, [token]);

  // The page's copy of the phase drifted from the call's: report the call's again.
  useEffect(() => {
    if (pagePhase && pagePhase !== truth.current) {
      const attempt = call.current && call.current.client ? call.current.client.attempt : 0;
      if (latest.current.onStateChange) latest.current.onStateChange({ phase: truth.current, attempt });
    }
  }, [pagePhase]);

  // The page decided the call is over (e.g. no token could be minted to rejoin it).
  useEffect(() => {
    if (!stop || !call.current) return;
    codeChannel.endCall();
    teardown();
    setStopped(true);
    report({ phase: "ending" });
  }, [stop]);

  // Closing or reloading the tab mid-call asks first (the relay would wait for a rejoin,
  // then end the interview).
  useEffect(() => {
    if (!liveSince || stopped) return undefined;
    const ask = (event) => {
      const c = call.current;
      if (!c || !c.client || c.client.over) return;
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [liveSince, stopped]);

  return {
    phase,
    started: parts !== null,
    busy,
    stopped,
    inCall,
    muted,
    holding,
    interviewer,
    liveSince,
    capS,
    recorder: parts && parts.recorder,
    player: parts && parts.player,
    start,
    end,
    setMuted,
    hold,
  };
}
