// window.__preppalCall: what the end-to-end tests and bench/browser_latency.py read about a
// call (set-up marks, frames sent, frames received, playback, sockets). It only observes:
// it listens to the call's parts and writes; nothing in the call ever reads it back.

export function freshRecord() {
  return {
    phase: "initializing",
    error: undefined,
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
    handedOver: 0,
    lastTranscript: null,
  };
}

/** A new record for a new call, published on `host.__preppalCall` (host: window). */
export class DebugRecord {
  constructor(host = typeof window === "undefined" ? {} : window) {
    this.data = freshRecord();
    host.__preppalCall = this.data;
  }

  mark(name) {
    if (this.data[name] === null) this.data[name] = performance.now();
  }

  set(fields) {
    Object.assign(this.data, fields);
  }

  /** What the page was told (phase, error). */
  noteReport(info) {
    if (info.phase) this.data.phase = info.phase;
    if (info.error) this.data.error = info.error;
  }

  /** Listen to a RelayClient; returns the function that stops listening. */
  observeClient(client) {
    const d = this.data;
    const stops = [
      client.on("socket", ({ event, code, reason }) => {
        if (event === "opening") d.sockets += 1;
        else if (event === "open") this.mark("openAt");
        else if (event === "close") d.lastClose = { code, reason };
      }),
      client.on("received", ({ payload }) => {
        d.received[payload] = (d.received[payload] || 0) + 1;
        if (payload === "sessionReady") this.mark("readyAt");
        if (payload === "audioResponse") this.mark("firstAudioMsgAt");
      }),
      client.on("sent", ({ payload, bytes }) => {
        if (payload !== "audioChunk") return;
        d.sentFrames += 1;
        d.sentBytes += bytes;
        if (d.frameSizes.length < 20) d.frameSizes.push(bytes);
      }),
      client.on("status", ({ handover }) => {
        if (handover) d.handedOver += 1;
      }),
      client.on("transcript", ({ speaker, final }) => {
        d.lastTranscript = { speaker, final };
      }),
    ];
    return () => stops.forEach((stop) => stop());
  }

  /** Listen to an AudioPlayer. */
  observePlayer(player) {
    return player.on("state", (state) => {
      this.data.playback = state;
      if (state.stats && state.stats.played > 0) this.mark("firstAudioAt");
    });
  }
}
