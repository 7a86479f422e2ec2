// The code editor panel (CodeMirror 6), wrapped by preppal/components/code_editor.py.
//
// Live mode (the meeting page): the candidate types; ~1 s after typing stops (at most
// maxWaitMs apart while typing goes on) the whole text goes to code_channel.js, which
// sends it on the call's socket. Read-only mode (the feedback page) shows a stored
// snapshot given by `value`. Languages load on demand (one chunk each). Keyboard: Tab
// indents; Escape then Tab leaves the editor (CodeMirror's built-in escape hatch).
import React, { useEffect, useRef, useState } from "react";
import { EditorView, basicSetup } from "codemirror";
import { Compartment, EditorState } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { Flex, Text } from "@radix-ui/themes";
import * as channel from "./code_channel.js";

const LOADERS = {
  python: () => import("@codemirror/lang-python").then((m) => m.python()),
  javascript: () => import("@codemirror/lang-javascript").then((m) => m.javascript({ jsx: true })),
  typescript: () => import("@codemirror/lang-javascript").then((m) => m.javascript({ typescript: true })),
  java: () => import("@codemirror/lang-java").then((m) => m.java()),
  go: () => import("@codemirror/lang-go").then((m) => m.go()),
  cpp: () => import("@codemirror/lang-cpp").then((m) => m.cpp()),
  sql: () => import("@codemirror/lang-sql").then((m) => m.sql()),
  notes: () => import("@codemirror/lang-markdown").then((m) => m.markdown()),
};

function loadLanguage(id) {
  const load = LOADERS[id];
  return load ? load().catch(() => []) : Promise.resolve([]);
}

// Rounded up, so a snapshot just over the cap never reads as equal to it.
const kib = (bytes) => `${(Math.ceil((bytes / 1024) * 10) / 10).toFixed(1)} KiB`;

// "14:05 UTC": a time of day as the rest of the app writes it (preppal/display.py via the prop).
function timeOfDay(at, format) {
  const clock = new Intl.DateTimeFormat(format.locale, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: format.zone,
  }).format(new Date(at));
  return `${clock} ${format.zone}`;
}

function statusLine(status, live, maxBytes, timeFormat) {
  switch (status.kind) {
    case "too_large":
      return {
        color: "red",
        text:
          status.message ||
          `Your code is ${kib(status.bytes)}, more than the ${maxBytes / 1024} KiB the interviewer ` +
            "can see. " +
            "Shorten it and it will be shared again.",
      };
    case "shared":
      if (!status.bytes) break; // an emptied editor: nothing to point at (the default line below)
      return { color: "grass", text: `Shared with the interviewer at ${timeOfDay(status.at, timeFormat)}` };
    case "typing":
      return { color: "gray", text: "Shares with the interviewer when you pause typing…" };
    case "ended":
      return { color: "gray", text: "The call has ended. The last version the interviewer saw is saved with your interview." };
    case "waiting":
      return { color: "amber", text: "What you write here is shared with the interviewer once the call is live." };
    default:
      break;
  }
  return { color: "gray", text: live ? "The interviewer sees what you write here (it is never run)." : "" };
}

export function CodeEditor({
  languages = [],
  language = "python",
  initialCode = "",
  value = null,
  readOnly = false,
  live = false,
  debounceMs = 1000,
  maxWaitMs = 5000,
  height = "24em", // "auto": grow with the text up to maxHeight (the read-only viewer)
  maxHeight = "28em",
  label = "Code editor",
  maxCodeBytes, // the cap, preppal/editor.py MAX_CODE_BYTES (components/code_editor.py passes it)
  timeFormat, // {locale, zone}: preppal/display.py browser_time_format() (components/code_editor.py passes it)
}) {
  const host = useRef(null);
  const view = useRef(null);
  const lang = useRef(new Compartment());
  const timers = useRef({ debounce: null, first: null });
  const current = useRef(language);
  const touched = useRef(false);
  const [langId, setLangId] = useState(language);
  const [status, setStatus] = useState({ kind: "idle" });

  const flush = () => {
    const t = timers.current;
    clearTimeout(t.debounce);
    t.debounce = null;
    t.first = null;
    // An editor nobody wrote in has nothing to share (a turn's end still asks for a flush).
    if (live && view.current && touched.current) channel.offer(view.current.state.doc.toString(), current.current);
  };

  const schedule = () => {
    const t = timers.current;
    const now = Date.now();
    if (t.first === null) t.first = now;
    clearTimeout(t.debounce);
    const wait = Math.max(0, Math.min(debounceMs, t.first + maxWaitMs - now));
    t.debounce = setTimeout(flush, wait);
    channel.noteEdit();
    setStatus((s) => (s.kind === "too_large" ? s : { kind: "typing" }));
  };

  useEffect(() => {
    const extensions = [
      basicSetup,
      keymap.of([indentWithTab]),
      lang.current.of([]),
      EditorView.contentAttributes.of({ "aria-label": label }),
      EditorView.theme({
        "&": {
          ...(height === "auto" ? { maxHeight, minHeight: "4em" } : { height }),
          fontSize: "14px",
          border: "1px solid var(--gray-6)",
          borderRadius: "var(--radius-2)",
        },
        "&.cm-focused": { outline: "2px solid var(--accent-8)", outlineOffset: "1px" },
        ".cm-scroller": { overflow: "auto", fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
      }),
    ];
    if (readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
    if (live) {
      extensions.push(
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            touched.current = true;
            schedule();
          }
        }),
      );
    }
    view.current = new EditorView({
      state: EditorState.create({ doc: value !== null ? value : initialCode, extensions }),
      parent: host.current,
    });
    if (live) channel.reset(maxCodeBytes);
    const stopFlush = live ? channel.onFlushRequest(flush) : () => {};
    const stopStatus = live ? channel.onStatus((s) => s.kind !== "idle" && setStatus(s)) : () => {};
    if (typeof window !== "undefined") window.__preppalEditor = view.current; // tests type through it too
    return () => {
      clearTimeout(timers.current.debounce);
      stopFlush();
      stopStatus();
      view.current.destroy();
      view.current = null;
    };
  }, []);

  // The language: highlight it (loaded on demand) and, when live, share the change.
  useEffect(() => {
    let cancelled = false;
    current.current = langId;
    loadLanguage(langId).then((ext) => {
      if (!cancelled && view.current) view.current.dispatch({ effects: lang.current.reconfigure(ext) });
    });
    if (live && touched.current) schedule();
    return () => {
      cancelled = true;
    };
  }, [langId]);

  useEffect(() => setLangId(language), [language]);

  // Read-only viewer: show the snapshot chosen on the page.
  useEffect(() => {
    const v = view.current;
    if (v && value !== null && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  // A reloaded meeting page gets the last stored code once, unless the candidate typed already.
  useEffect(() => {
    const v = view.current;
    if (v && live && initialCode && !touched.current && v.state.doc.length === 0) {
      v.dispatch({ changes: { from: 0, to: 0, insert: initialCode } });
      touched.current = false;
    }
  }, [initialCode]);

  const line = statusLine(status, live, maxCodeBytes, timeFormat);
  return (
    <Flex direction="column" gap="2" width="100%" data-testid={readOnly ? "code-viewer" : "code-editor"}>
      {!readOnly && (
        <Flex gap="3" align="center" wrap="wrap">
          <label htmlFor="code-language" style={{ fontSize: "var(--font-size-2)" }}>
            Language
          </label>
          <select
            id="code-language"
            data-testid="code-language"
            value={langId}
            onChange={(e) => setLangId(e.target.value)}
            style={{
              font: "inherit",
              fontSize: "var(--font-size-2)",
              padding: "0.25em 0.5em",
              borderRadius: "var(--radius-2)",
              border: "1px solid var(--gray-7)",
              background: "var(--color-surface)",
            }}
          >
            {languages.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
          <Text size="1" color="gray">
            Tab indents · Esc then Tab leaves the editor
          </Text>
        </Flex>
      )}
      <div ref={host} data-language={langId} />
      {line.text && (
        <Text
          size="1"
          color={line.color}
          data-testid="code-status"
          data-kind={status.kind}
          role={status.kind === "too_large" ? "alert" : "status"}
        >
          {line.text}
        </Text>
      )}
    </Flex>
  );
}
