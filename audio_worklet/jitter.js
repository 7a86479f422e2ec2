// Playback jitter buffer for the AI's voice, in the output context's sample units.
//
// Network audio arrives in bursts (Gemini often sends faster than real time, then
// pauses). Playing each chunk as it lands would click at every gap. Instead:
//   - wait until `startSamples` (~100 ms) are buffered before starting, or until the
//     input has been quiet for as long (so a short last phrase still plays);
//   - on underrun, fade the last few samples to zero and fade in again on resume,
//     so a gap is silence rather than a click;
//   - flush() (barge-in) drops everything queued but a few samples, ramped to zero in
//     place, so the interviewer stops within one render quantum and without a pop.

export const BUFFERING = "buffering";
export const PLAYING = "playing";

export class JitterBuffer {
  constructor({ startSamples, fadeSamples = 64, maxSamples = 48000 * 120 } = {}) {
    if (!(startSamples > 0)) throw new RangeError("startSamples must be positive");
    this.startSamples = startSamples;
    this.fadeSamples = fadeSamples;
    this.maxSamples = maxSamples;
    this.ring = new Float32Array(Math.max(startSamples * 4, 4096));
    this.head = 0; // read index
    this.size = 0; // samples queued
    this.state = BUFFERING;
    this.quietFor = 0; // samples rendered while buffering with data and no new input
    this.fadeInLeft = 0;
    this.stats = { pushed: 0, played: 0, dropped: 0, overflowed: 0, underruns: 0, flushes: 0 };
  }

  get buffered() {
    return this.size;
  }

  _grow(need) {
    let cap = this.ring.length;
    while (cap < need) cap *= 2;
    cap = Math.min(cap, this.maxSamples);
    if (cap === this.ring.length) return;
    const next = new Float32Array(cap);
    for (let i = 0; i < this.size; i++) next[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = next;
    this.head = 0;
  }

  /** Queue samples (copied). Beyond maxSamples the newest samples are counted and dropped. */
  push(samples) {
    if (this.size + samples.length > this.ring.length) this._grow(this.size + samples.length);
    const room = this.ring.length - this.size;
    const n = Math.min(room, samples.length);
    const cap = this.ring.length;
    let w = (this.head + this.size) % cap;
    for (let i = 0; i < n; i++) {
      this.ring[w] = samples[i];
      w = w + 1 === cap ? 0 : w + 1;
    }
    this.size += n;
    this.stats.pushed += n;
    this.stats.overflowed += samples.length - n;
    this.quietFor = 0;
  }

  /** Drop queued audio now (barge-in). Returns the number of samples dropped. */
  flush() {
    const keep = this.state === PLAYING ? Math.min(this.size, this.fadeSamples) : 0;
    const dropped = this.size - keep;
    // ramp the kept samples to zero in place; they play out within one render quantum
    const cap = this.ring.length;
    for (let i = 0; i < keep; i++) this.ring[(this.head + i) % cap] *= (keep - i) / (keep + 1);
    this.size = keep;
    if (keep === 0) this.state = BUFFERING;
    this.quietFor = 0;
    this.stats.dropped += dropped;
    this.stats.flushes += 1;
    return dropped;
  }

  /** Fill `out` (Float32Array) with the next samples; silence where there is nothing to play. */
  read(out) {
    const len = out.length;
    if (this.state === BUFFERING) {
      if (this.size > 0) this.quietFor += len;
      if (this.size >= this.startSamples || (this.size > 0 && this.quietFor >= this.startSamples)) {
        this.state = PLAYING;
        this.fadeInLeft = this.fadeSamples;
      } else {
        out.fill(0);
        return 0;
      }
    }
    const cap = this.ring.length;
    const n = Math.min(len, this.size);
    // When this read empties the queue, ramp its last samples down (underrun or a flush's end).
    const emptying = n === this.size;
    const rampFrom = emptying ? n - Math.min(n, this.fadeSamples) : n;
    const rampLen = n - rampFrom;
    let r = this.head;
    for (let i = 0; i < n; i++) {
      let g = 1;
      if (this.fadeInLeft > 0) {
        g = 1 - this.fadeInLeft / (this.fadeSamples + 1);
        this.fadeInLeft--;
      }
      if (i >= rampFrom) g *= (n - i) / (rampLen + 1);
      out[i] = this.ring[r] * g;
      r = r + 1 === cap ? 0 : r + 1;
    }
    out.fill(0, n);
    this.head = r;
    this.size -= n;
    this.stats.played += n;
    if (this.size === 0) {
      if (n < len) this.stats.underruns += 1;
      this.state = BUFFERING;
    }
    return n;
  }
}
