// The live-call component (wrapped by preppal/components/audio_call.py): the view only.
//
// Everything the call does lives in ./call/: use_call.js (the hook) composes relay_client.js
// (socket + protobuf + retry/resume/end), mic_recorder.js (mic → 40 ms frames) and
// audio_player.js (voice → speakers); debug_record.js observes them for tests. This file
// draws the Start button, the meters and the call's own controls. Mute and End act here, in
// the browser, at once; the page (Reflex) hears about it through onStateChange. Holding the
// floor (Space, or press-and-hold "Thinking…") is the call's own state too, shown here.
//
// Reflex owns the rest of the page (phase badge, errors, transcript): see pages/meeting.py.
import React, { useEffect, useRef, useState } from "react";
import { Badge, Button, Flex, Text } from "@radix-ui/themes";
import { Hand, Mic, MicOff, PhoneOff } from "lucide-react";
import { useCall } from "./call/use_call.js";

export function AudioCall({ startLabel = "Start interview", handsFree = true, ...props }) {
  const call = useCall(props);
  if (call.stopped) return <Text color="gray" data-testid="call-stopped">The call has ended.</Text>;
  if (!call.started) {
    return (
      <Button size="4" onClick={call.start} disabled={call.busy} data-testid="start-call">
        {call.busy ? "Preparing microphone…" : startLabel}
      </Button>
    );
  }
  return (
    <Flex direction="column" gap="4" width="100%">
      <CallMeters recorder={call.recorder} player={call.player} muted={call.muted} liveSince={call.liveSince} capS={call.capS} />
      {call.inCall && <CallControls muted={call.muted} onMute={() => call.setMuted(!call.muted)} onEnd={call.end} />}
      {call.inCall && holdWorks(call.interviewer, handsFree) && (
        <HoldControl holding={call.holding} onHold={call.hold} holdToTalk={call.interviewer === "gemini"} />
      )}
    </Flex>
  );
}

/** Mute and End: they act in the browser first (no server round trip before the mic goes quiet). */
function CallControls({ muted, onMute, onEnd }) {
  const Icon = muted ? MicOff : Mic;
  return (
    <Flex gap="3" align="center" width="100%" data-testid="call-controls">
      <Button
        size="3"
        variant={muted ? "solid" : "soft"}
        color={muted ? "orange" : "gray"}
        aria-pressed={muted}
        onClick={onMute}
      >
        <Icon size={20} aria-hidden="true" />
        {muted ? "Unmute" : "Mute"}
      </Button>
      {muted && (
        <Badge color="orange" size="2">
          You are muted
        </Badge>
      )}
      <div style={{ flex: 1 }} />
      <Button size="3" color="red" onClick={onEnd}>
        <PhoneOff size={20} aria-hidden="true" />
        End interview
      </Button>
    </Flex>
  );
}

/** Where a hold does something: the offline interviewer always waits; Gemini only when the
 * interview is not hands-free (its own detection decides otherwise: docs/turn-taking.md). */
const holdWorks = (interviewer, handsFree) => interviewer === "offline" || (interviewer === "gemini" && !handsFree);

/** "Thinking…": press and hold (mouse, touch, Enter or Space) to keep the floor; the state is
 * announced. Space anywhere on the page does the same (use_call.js). */
function HoldControl({ holding, onHold, holdToTalk }) {
  const press = (event) => {
    if (event.button > 0) return; // a right click or a second button
    event.preventDefault();
    if (event.currentTarget.setPointerCapture) event.currentTarget.setPointerCapture(event.pointerId);
    onHold(true);
  };
  const release = () => onHold(false);
  const key = (on) => (event) => {
    if (event.key !== "Enter") return; // Space is the page-wide shortcut (use_call.js)
    event.preventDefault();
    if (!event.repeat) onHold(on);
  };
  const hint = holdToTalk
    ? "Hold Space, or press and hold Thinking…, for your whole answer: the interviewer speaks when you let go."
    : "Hold Space, or press and hold Thinking…, while you think: the interviewer waits until you let go.";
  return (
    <Flex gap="3" align="center" width="100%" wrap="wrap" data-testid="hold-control">
      <Button
        size="3"
        variant={holding ? "solid" : "soft"}
        color={holding ? "blue" : "gray"}
        aria-pressed={holding}
        aria-describedby="hold-hint"
        data-testid="hold-floor"
        style={{ touchAction: "none", userSelect: "none" }}
        onPointerDown={press}
        onPointerUp={release}
        onPointerCancel={release}
        onLostPointerCapture={release}
        onContextMenu={(event) => event.preventDefault()}
        onKeyDown={key(true)}
        onKeyUp={key(false)}
        onBlur={release}
      >
        <Hand size={20} aria-hidden="true" />
        Thinking…
      </Button>
      <Text size="2" color={holding ? "blue" : "gray"} role="status" aria-live="polite" data-testid="hold-status">
        {holding ? "Holding the floor: the interviewer is waiting." : ""}
      </Text>
      <Text size="1" color="gray" id="hold-hint" style={{ flexBasis: "100%" }}>
        {hint}
      </Text>
    </Flex>
  );
}

const fmt = (s) => `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

/** Mic level bar, "interviewer speaking" light and elapsed time; the bars move 20×/s without re-rendering. */
function CallMeters({ recorder, player, muted, liveSince, capS }) {
  const micBar = useRef(null);
  const aiDot = useRef(null);
  const aiLabel = useRef(null);
  const [now, setNow] = useState(Date.now());

  useEffect(
    () =>
      recorder.on("level", ({ level }) => {
        if (micBar.current) micBar.current.style.width = `${Math.round(level * 100)}%`;
      }),
    [recorder],
  );
  useEffect(
    () =>
      player.on("state", ({ speaking, level }) => {
        if (!aiDot.current) return;
        aiDot.current.style.transform = `scale(${speaking ? 1 + level * 0.8 : 1})`;
        aiDot.current.style.background = speaking ? "var(--accent-9)" : "var(--gray-6)";
        aiLabel.current.textContent = speaking ? "Interviewer speaking" : "Interviewer listening";
      }),
    [player],
  );
  useEffect(() => {
    if (!liveSince) return undefined;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [liveSince]);

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
