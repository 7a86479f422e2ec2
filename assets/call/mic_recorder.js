// The microphone: getUserMedia → the capture worklet ("preppal-capture", built from
// audio_worklet/capture-processor.js) → 16 kHz PCM16 frames of `frameMs`, plus a level for
// the meter. A plain class with typed events, like live-api-web-console's AudioRecorder.
//
// Events: "frame" {pcm: ArrayBuffer} (exactly targetRate*frameMs/1000 samples),
//         "level" {level: 0..1} (~20×/s; 0 while muted).
// Muting disables the track (the browser sends silence), so the call's timing never changes.
import { Emitter } from "./emitter.js";

export const TARGET_RATE = 16000;

/** A microphone that could not be opened; `kind` is an error kind of preppal/state/meeting.py. */
export class MicError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

export function micErrorKind(err) {
  const name = (err && err.name) || "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "mic_denied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "no_mic";
  if (name === "NotReadableError") return "mic_busy";
  return "mic_failed";
}

export class MicRecorder extends Emitter {
  constructor(ctx) {
    super();
    this.ctx = ctx;
    this.stream = null;
    this.node = null;
    this.muted = false;
    this.echoCancellation = null;
  }

  /** Ask for the microphone (the browser's prompt); throws MicError. */
  async open() {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
      });
    } catch (err) {
      throw new MicError(micErrorKind(err), String((err && err.message) || err));
    }
    const track = this.stream.getAudioTracks()[0];
    const settings = (track && track.getSettings && track.getSettings()) || {};
    const supported = navigator.mediaDevices.getSupportedConstraints() || {};
    this.echoCancellation = Boolean(supported.echoCancellation) && settings.echoCancellation !== false;
    this._applyMute();
  }

  /** Start framing (the capture worklet module must be loaded into the context). */
  start({ frameMs, targetRate = TARGET_RATE }) {
    const ctx = this.ctx;
    const node = new AudioWorkletNode(ctx, "preppal-capture", {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      processorOptions: { targetRate, frameMs },
    });
    const sink = ctx.createGain(); // keeps the capture node pulled by the graph, silently
    sink.gain.value = 0;
    ctx.createMediaStreamSource(this.stream).connect(node).connect(sink).connect(ctx.destination);
    node.port.onmessage = ({ data }) => {
      if (data.type === "frame") this.emit("frame", { pcm: data.pcm });
      else if (data.type === "level") this.emit("level", { level: this.muted ? 0 : data.level });
    };
    this.node = node;
  }

  setMuted(muted) {
    this.muted = Boolean(muted);
    this._applyMute();
    if (this.muted) this.emit("level", { level: 0 }); // the meter shows it at once
  }

  /** Stop framing and release the microphone (idempotent). */
  stop() {
    if (this.node) {
      this.node.port.onmessage = null;
      this.node.port.postMessage({ type: "stop" });
      this.node = null;
    }
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
  }

  _applyMute() {
    if (this.stream) this.stream.getAudioTracks().forEach((t) => (t.enabled = !this.muted));
  }
}
