// AudioWorklet processor "preppal-playback": the AI's PCM16 voice → the speakers.
//
// Messages in (main thread → worklet):
//   {type: "audio", pcm: ArrayBuffer, rate}   PCM16 LE mono at `rate` (24 kHz from Gemini)
//   {type: "flush"}                           barge-in: drop queued audio now
// Messages out, every ~50 ms and on every change of `speaking` or after a flush:
//   {type: "state", speaking, level, bufferedMs, stats}
// `stats` (pushed/played/dropped/underruns/flushes, in output samples) makes the
// barge-in behaviour observable from tests.
import { meterLevel, pcm16ToFloat, rms, StreamResampler } from "./dsp.js";
import { JitterBuffer } from "./jitter.js";

const REPORT_INTERVAL_S = 0.05;
const SPEAKING_HOLD_S = 0.25; // bridge the small gaps between chunks of one turn

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    const startMs = opts.startMs ?? 100;
    this.jitter = new JitterBuffer({ startSamples: Math.max(1, Math.round((sampleRate * startMs) / 1000)) });
    this.resampler = null;
    this.reportEvery = Math.round(sampleRate * REPORT_INTERVAL_S);
    this.sinceReport = 0;
    this.silentFor = Infinity;
    this.speaking = false;
    this.lastLevel = 0;
    this.port.onmessage = (event) => this.onMessage(event.data || {});
  }

  onMessage(msg) {
    if (msg.type === "audio") {
      const rate = msg.rate || 16000;
      if (!this.resampler || this.resampler.inRate !== rate) this.resampler = new StreamResampler(rate, sampleRate);
      this.jitter.push(this.resampler.process(pcm16ToFloat(msg.pcm)));
    } else if (msg.type === "flush") {
      this.jitter.flush();
      this.resampler = null; // the next turn starts a fresh stream
      this.report();
    } else if (msg.type === "report") {
      this.report();
    }
  }

  report() {
    this.port.postMessage({
      type: "state",
      speaking: this.speaking,
      level: this.lastLevel,
      bufferedMs: (this.jitter.buffered / sampleRate) * 1000,
      stats: { ...this.jitter.stats },
    });
    this.sinceReport = 0;
  }

  process(_inputs, outputs) {
    const channels = outputs[0];
    if (!channels || channels.length === 0) return true;
    const out = channels[0];
    const played = this.jitter.read(out);
    for (let c = 1; c < channels.length; c++) channels[c].set(out);
    this.silentFor = played > 0 ? 0 : this.silentFor + out.length;
    this.lastLevel = played > 0 ? meterLevel(rms(out)) : 0;
    const speaking = this.silentFor < sampleRate * SPEAKING_HOLD_S;
    this.sinceReport += out.length;
    if (speaking !== this.speaking) {
      this.speaking = speaking;
      this.report();
    } else if (this.sinceReport >= this.reportEvery) {
      this.report();
    }
    return true;
  }
}

registerProcessor("preppal-playback", PlaybackProcessor);
