// Pieces of the live-call component that hold no call state: the debug/bench record on
// window.__preppalCall, the relay URL, microphone error names, and the meters view.
import React from "react";
import { Flex, Text } from "@radix-ui/themes";
import env from "$/env.json";
import { getBackendURL } from "$/utils/state";

export function debugState() {
  if (typeof window === "undefined") return {};
  if (!window.__preppalCall) window.__preppalCall = {};
  return window.__preppalCall;
}

export function resetDebug() {
  window.__preppalCall = {
    phase: "initializing",
    startClickedAt: null, // performance.now() marks of the call set-up, for the latency bench
    micAt: null,
    tokenAt: null,
    openAt: null,
    readyAt: null,
    firstAudioMsgAt: null,
    firstAudioAt: null, // the playback worklet reported its first played samples
    contextRate: null,
    echoCancellation: null,
    sentFrames: 0,
    sentBytes: 0,
    frameSizes: [],
    received: {},
    playback: null,
    sockets: 0,
    lastClose: null,
  };
  return window.__preppalCall;
}

export function socketURL(interviewId, token) {
  const url = getBackendURL(env.EVENT); // right host/port in dev (:8000) and prod (one port)
  url.pathname = `/ws/interview/${encodeURIComponent(interviewId)}`;
  url.search = `?token=${encodeURIComponent(token)}`;
  return url.toString();
}

export function micErrorKind(err) {
  const name = (err && err.name) || "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "mic_denied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "no_mic";
  if (name === "NotReadableError") return "mic_busy";
  return "mic_failed";
}

const fmt = (s) => `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

/** Mic level bar, "interviewer speaking" light and elapsed time; the refs are driven 20×/s. */
export function CallMeters({ micBar, aiDot, aiLabel, muted, liveSince, now, capS }) {
  const elapsed = liveSince ? Math.max(0, (now - liveSince) / 1000) : 0;
  const nearCap = capS - elapsed < 300;
  return (
    <Flex gap="5" align="center" wrap="wrap" data-testid="call-meters">
      <Flex direction="column" gap="1" style={{ minWidth: "12em" }}>
        <Text size="1" color="gray">{muted ? "Your microphone (muted)" : "Your microphone"}</Text>
        <div
          role="meter"
          aria-label="Microphone level"
          style={{ height: 8, width: "100%", borderRadius: 4, background: "var(--gray-4)", overflow: "hidden" }}
        >
          <div ref={micBar} data-testid="mic-level" style={{ height: "100%", width: "0%", background: "var(--grass-9)", transition: "width 60ms linear" }} />
        </div>
      </Flex>
      <Flex gap="2" align="center" data-testid="ai-indicator">
        <div ref={aiDot} style={{ width: 14, height: 14, borderRadius: 7, background: "var(--gray-6)", transition: "transform 80ms linear" }} />
        <Text size="2" ref={aiLabel} aria-live="polite">Interviewer listening</Text>
      </Flex>
      <Text size="2" color={nearCap ? "orange" : "gray"} data-testid="elapsed" style={{ fontVariantNumeric: "tabular-nums" }}>
        {fmt(elapsed)} / {fmt(capS)}
      </Text>
    </Flex>
  );
}

