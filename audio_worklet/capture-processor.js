// AudioWorklet processor "preppal-capture": microphone → 16 kHz PCM16 LE frames.
//
// Runs at whatever rate the AudioContext has (44.1/48 kHz; Firefox and Safari ignore a
// requested 16 kHz), mixes the input to mono, resamples to `targetRate`, and posts
// fixed frames of `frameMs` as transferable ArrayBuffers:
//   {type: "frame", pcm: ArrayBuffer}      exactly targetRate*frameMs/1000 samples
//   {type: "level", level: 0..1, rms}       every ~50 ms, for the mic meter
// The main thread stops it with {type: "stop"}.
import { meterLevel, PcmFramer, StreamResampler } from "./dsp.js";

const LEVEL_INTERVAL_S = 0.05;

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    const targetRate = opts.targetRate || 16000;
    const frameMs = opts.frameMs || 40;
    this.resampler = new StreamResampler(sampleRate, targetRate);
    this.framer = new PcmFramer(Math.round((targetRate * frameMs) / 1000));
    this.mono = new Float32Array(128);
    this.levelEvery = Math.round(sampleRate * LEVEL_INTERVAL_S);
    this.levelSq = 0;
    this.levelN = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data && event.data.type === "stop") this.running = false;
    };
  }

  process(inputs) {
    if (!this.running) return false;
    const channels = inputs[0];
    if (!channels || channels.length === 0 || channels[0].length === 0) return true;
    const len = channels[0].length;
    if (this.mono.length < len) this.mono = new Float32Array(len);
    const mono = this.mono.subarray(0, len);
    if (channels.length === 1) {
      mono.set(channels[0]);
    } else {
      mono.fill(0);
      for (const ch of channels) for (let i = 0; i < len; i++) mono[i] += ch[i] / channels.length;
    }
    for (let i = 0; i < len; i++) this.levelSq += mono[i] * mono[i];
    this.levelN += len;
    if (this.levelN >= this.levelEvery) {
      const rmsValue = Math.sqrt(this.levelSq / this.levelN);
      this.port.postMessage({ type: "level", level: meterLevel(rmsValue), rms: rmsValue });
      this.levelSq = 0;
      this.levelN = 0;
    }
    for (const frame of this.framer.push(this.resampler.process(mono))) {
      this.port.postMessage({ type: "frame", pcm: frame }, [frame]);
    }
    return true;
  }
}

registerProcessor("preppal-capture", CaptureProcessor);
