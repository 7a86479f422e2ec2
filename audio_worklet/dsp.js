// Audio DSP shared by the capture and playback worklets. Plain ES module with no
// browser APIs, so node's own test runner exercises exactly the code the worklets run
// (scripts/build.mjs bundles it into each worklet file under assets/audio/).
//
// Why a hand-written resampler: the browser's AudioContext runs at whatever rate the
// hardware picks (Firefox and Safari ignore a requested 16 kHz), and an AudioWorklet
// has no resampler of its own. Speech needs little: a short windowed-sinc low-pass
// before decimation (so 44.1/48 kHz → 16 kHz does not alias) and linear interpolation
// for the fractional step. Libraries (libsamplerate ports) are WASM-sized for a job
// this small, and must run inside the worklet's realtime thread without allocation.

/** Low-pass FIR (Blackman-windowed sinc). cutoff is a fraction of the sample rate (0..0.5). */
export function lowPassTaps(cutoff, count) {
  const taps = new Float32Array(count);
  const mid = (count - 1) / 2;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (count - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (count - 1));
    taps[i] = sinc * w;
    sum += taps[i];
  }
  for (let i = 0; i < count; i++) taps[i] /= sum; // unity gain at DC
  return taps;
}

/**
 * Streaming sample-rate converter for mono Float32 blocks of any size.
 * Downsampling low-passes at 90 % of the output Nyquist first; upsampling interpolates
 * linearly (speech from Gemini's 24 kHz to a 44.1/48 kHz context). State carries across
 * blocks, so concatenated outputs equal one conversion of the concatenated input.
 */
export class StreamResampler {
  constructor(inRate, outRate, { taps = 33 } = {}) {
    if (!(inRate > 0 && outRate > 0)) throw new RangeError("sample rates must be positive");
    this.inRate = inRate;
    this.outRate = outRate;
    this.step = inRate / outRate; // input samples advanced per output sample
    this.filter = outRate < inRate ? lowPassTaps((0.45 * outRate) / inRate, taps) : null;
    this.history = this.filter ? new Float32Array(this.filter.length - 1) : null;
    this.prev = 0; // last (filtered) input sample of the previous block
    this.pos = 1; // next output position; 0 = prev, 1 = block[0]
    this.scratch = new Float32Array(0);
    this.out = new Float32Array(0);
  }

  /** Filtered copy of block (reuses buffers: no allocation in steady state). */
  _filter(block) {
    const f = this.filter;
    if (!f) return block;
    const h = this.history;
    const hl = h.length;
    if (this.scratch.length < block.length) this.scratch = new Float32Array(block.length);
    const y = this.scratch;
    for (let n = 0; n < block.length; n++) {
      let acc = 0;
      // x[n - k] for k = 0..len-1, where negative indices come from history
      for (let k = 0; k < f.length; k++) {
        const idx = n - k;
        acc += f[k] * (idx >= 0 ? block[idx] : h[hl + idx]);
      }
      y[n] = acc;
    }
    // keep the last hl inputs for the next block
    if (block.length >= hl) {
      h.set(block.subarray(block.length - hl));
    } else {
      h.copyWithin(0, block.length);
      h.set(block, hl - block.length);
    }
    return y.subarray(0, block.length);
  }

  /** Convert one block; returns a view valid until the next call. */
  process(block) {
    const n = block.length;
    if (n === 0) return this.out.subarray(0, 0);
    const x = this._filter(block);
    const need = Math.ceil((n + 1) / this.step) + 2;
    if (this.out.length < need) this.out = new Float32Array(need);
    const out = this.out;
    let count = 0;
    let pos = this.pos;
    // virtual input v[0] = prev, v[i] = x[i - 1]
    while (pos <= n) {
      const i = Math.floor(pos);
      const frac = pos - i;
      const a = i === 0 ? this.prev : x[i - 1];
      out[count++] = frac === 0 || i === n ? a : a + frac * (x[i] - a);
      pos += this.step;
    }
    this.pos = pos - n;
    this.prev = x[n - 1];
    return out.subarray(0, count);
  }
}

/** Float [-1, 1] → PCM16 little-endian bytes (clipped), appended into a DataView at byte offset. */
export function writePcm16(samples, view, byteOffset) {
  for (let i = 0; i < samples.length; i++) {
    let s = samples[i];
    if (!(s > -1)) s = -1; // also maps NaN to -1 rather than garbage
    else if (s > 1) s = 1;
    view.setInt16(byteOffset + 2 * i, s < 0 ? Math.round(s * 32768) : Math.round(s * 32767), true);
  }
}

/** Float samples → new ArrayBuffer of PCM16 LE. */
export function floatToPcm16(samples) {
  const buf = new ArrayBuffer(samples.length * 2);
  writePcm16(samples, new DataView(buf), 0);
  return buf;
}

/** PCM16 LE bytes (ArrayBuffer or any byte view; a trailing odd byte is ignored) → Float32Array. */
export function pcm16ToFloat(bytes) {
  const view = ArrayBuffer.isView(bytes)
    ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new DataView(bytes);
  const n = view.byteLength >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = view.getInt16(2 * i, true);
    out[i] = v < 0 ? v / 32768 : v / 32767;
  }
  return out;
}

/**
 * Cuts a stream of float samples into fixed PCM16 frames of frameSamples each.
 * push() returns the completed frames (each its own ArrayBuffer, ready to transfer).
 */
export class PcmFramer {
  constructor(frameSamples) {
    if (!(Number.isInteger(frameSamples) && frameSamples > 0)) throw new RangeError("frameSamples must be a positive integer");
    this.frameSamples = frameSamples;
    this._newFrame();
  }

  _newFrame() {
    this.buf = new ArrayBuffer(this.frameSamples * 2);
    this.view = new DataView(this.buf);
    this.fill = 0;
  }

  push(samples) {
    const frames = [];
    let off = 0;
    while (off < samples.length) {
      const take = Math.min(this.frameSamples - this.fill, samples.length - off);
      writePcm16(samples.subarray(off, off + take), this.view, this.fill * 2);
      this.fill += take;
      off += take;
      if (this.fill === this.frameSamples) {
        frames.push(this.buf);
        this._newFrame();
      }
    }
    return frames;
  }
}

/** RMS of a block. */
export function rms(samples) {
  if (samples.length === 0) return 0;
  let acc = 0;
  for (let i = 0; i < samples.length; i++) acc += samples[i] * samples[i];
  return Math.sqrt(acc / samples.length);
}

/** RMS → meter level 0..1 on a dB scale (-60 dBFS → 0, 0 dBFS → 1): speech sits mid-scale. */
export function meterLevel(rmsValue, floorDb = -60) {
  if (!(rmsValue > 0)) return 0;
  const db = 20 * Math.log10(rmsValue);
  return Math.min(1, Math.max(0, 1 - db / floorDb));
}
