// The speaker: the interviewer's PCM16 voice → the playback worklet ("preppal-playback",
// built from audio_worklet/playback-processor.js), which resamples, buffers against jitter
// and reports what it is doing. Like live-api-web-console's AudioStreamer, a plain class.
//
// Events: "state" {speaking, level, bufferedMs, stats} (~20×/s and on every change).
// `drained()` is how the call knows the goodbye has been heard before it tears down.
import { Emitter } from "./emitter.js";

export class AudioPlayer extends Emitter {
  constructor(ctx) {
    super();
    this.ctx = ctx;
    this.node = null;
    this.state = { speaking: false, level: 0, bufferedMs: 0, stats: {} };
  }

  /** Create the playback node (the worklet module must be loaded into the context). */
  start({ startMs = 100 } = {}) {
    const node = new AudioWorkletNode(this.ctx, "preppal-playback", {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { startMs },
    });
    node.connect(this.ctx.destination);
    node.port.onmessage = ({ data }) => {
      if (data.type !== "state") return;
      this.state = data;
      this.emit("state", data);
    };
    this.node = node;
  }

  /** Queue a chunk (the ArrayBuffer is transferred to the worklet). */
  play(pcm, rate) {
    if (this.node) this.node.port.postMessage({ type: "audio", pcm, rate }, [pcm]);
  }

  /** Barge-in: drop whatever is queued. */
  flush() {
    if (this.node) this.node.port.postMessage({ type: "flush" });
  }

  get idle() {
    return !this.state.speaking && !(this.state.bufferedMs > 0);
  }

  /** Resolves once nothing is queued or playing, or after `maxMs`. */
  drained(maxMs) {
    if (!this.node || this.idle) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      const stop = this.on("state", () => this.idle && done());
    });
  }

  stop() {
    if (!this.node) return;
    this.node.port.onmessage = null;
    this.node.disconnect();
    this.node = null;
  }
}
