/**
 * A small streaming JSON tokenizer for files that hold a top-level array (`[ {...}, ... ]`) or an
 * object with a `data` array (`{ "data": [ ... ] }`). It scans characters, tracking strings and
 * nesting depth, slices out one array element at a time and hands it to JSON.parse, so memory is
 * bounded by the largest element, never by the file. A top-level object without a `data` array is
 * yielded as a single element.
 */
export type JsonElement =
  | { ok: true; value: unknown }
  | { ok: false; error: string /** longer than the scanner's limit */; tooLong?: true };

enum Mode {
  Start = 0,
  TopObject = 1, // inside a top-level object, outside any data array
  Array = 2, // inside the element array
  AfterArray = 3, // the array closed (inside an enclosing object, or done)
  Done = 4,
}

export class JsonArrayScanner {
  private mode: Mode = Mode.Start;
  private depth = 0; // nesting depth relative to the element array (0 = between elements)
  private inString = false;
  private escape = false;
  private elem = ''; // text of the element being collected
  private elemHasContent = false;
  // Top-level object bookkeeping
  private objDepth = 0;
  private objText = ''; // the top-level object's text, kept only while no data array is found
  private keyBuf = '';
  private collectingKey = false;
  private lastKey = '';
  private expectValueForKey = false;
  private arrayInObject = false;
  private sawDataArray = false;
  private started = false;
  private trailing = false;
  /** the element (or lone top-level object) being read passed `maxChars`: its text is dropped */
  private tooLong = false;

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  private tooLongError(): JsonElement {
    return {
      ok: false,
      tooLong: true,
      error: `the record is longer than the limit of ${this.maxChars} characters (--max-record-bytes); it was skipped`,
    };
  }

  push(text: string): JsonElement[] {
    const out: JsonElement[] = [];
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = text.length;
    while (i < n) {
      switch (this.mode) {
        case Mode.Start: {
          const c = text[i]!;
          i++;
          if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
          if (c === '[') {
            this.mode = Mode.Array;
          } else if (c === '{') {
            this.mode = Mode.TopObject;
            this.objDepth = 1;
            this.objText = '{';
          } else {
            out.push({
              ok: false,
              error: `expected '[' or '{' at the start of the JSON document, found '${c}'`,
            });
            this.mode = Mode.Done;
          }
          continue;
        }
        case Mode.TopObject: {
          const c = text[i]!;
          i++;
          if (!this.sawDataArray && !this.tooLong) {
            this.objText += c;
            if (this.objText.length > this.maxChars) {
              this.tooLong = true;
              this.objText = '';
            }
          }
          if (this.inString) {
            if (this.escape) this.escape = false;
            else if (c === '\\') this.escape = true;
            else if (c === '"') {
              this.inString = false;
              if (this.collectingKey) {
                this.collectingKey = false;
                this.lastKey = this.keyBuf;
              }
            } else if (this.collectingKey) this.keyBuf += c;
            continue;
          }
          if (c === '"') {
            this.inString = true;
            if (this.objDepth === 1 && !this.expectValueForKey) {
              this.collectingKey = true;
              this.keyBuf = '';
            }
          } else if (c === ':' && this.objDepth === 1) {
            this.expectValueForKey = true;
          } else if (c === ',' && this.objDepth === 1) {
            this.expectValueForKey = false;
          } else if (c === '[' && this.objDepth === 1 && this.expectValueForKey && this.lastKey === 'data') {
            this.mode = Mode.Array;
            this.arrayInObject = true;
            this.sawDataArray = true;
            this.objText = '';
            this.expectValueForKey = false;
          } else if (c === '{' || c === '[') {
            this.objDepth++;
          } else if (c === '}' || c === ']') {
            this.objDepth--;
            if (this.objDepth === 0) {
              this.mode = Mode.Done;
              if (this.tooLong) {
                this.tooLong = false;
                out.push(this.tooLongError());
              } else if (!this.sawDataArray) {
                try {
                  out.push({ ok: true, value: JSON.parse(this.objText) });
                } catch (e) {
                  out.push({ ok: false, error: (e as Error).message });
                }
              }
              this.objText = '';
            }
          }
          continue;
        }
        case Mode.Array: {
          // Hot loop: collect element text.
          const start = i;
          let emitted = false;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (this.inString) {
              if (this.escape) this.escape = false;
              else if (c === 92 /* \ */) this.escape = true;
              else if (c === 34 /* " */) this.inString = false;
              i++;
              continue;
            }
            if (c === 34) {
              this.inString = true;
              this.elemHasContent = true;
            } else if (c === 123 /* { */ || c === 91 /* [ */) {
              this.depth++;
              this.elemHasContent = true;
            } else if (c === 125 /* } */ || c === 93 /* ] */) {
              if (this.depth === 0) {
                if (c === 93) {
                  // end of the element array
                  this.elem += text.slice(start, i);
                  this.flushElement(out, true);
                  i++;
                  this.mode = this.arrayInObject ? Mode.TopObject : Mode.AfterArray;
                  if (this.arrayInObject) {
                    this.objDepth = 1;
                    this.lastKey = '';
                  }
                  emitted = true;
                  break;
                }
                this.elem += text.slice(start, i + 1);
                out.push({ ok: false, error: "unexpected '}'" });
                this.elem = '';
                this.tooLong = false;
                this.elemHasContent = false;
                i++;
                emitted = true;
                break;
              }
              this.depth--;
            } else if (c === 44 /* , */ && this.depth === 0) {
              this.elem += text.slice(start, i);
              this.flushElement(out, false);
              i++;
              emitted = true;
              break;
            } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
              this.elemHasContent = true;
            }
            i++;
          }
          if (!emitted && !this.tooLong) {
            this.elem += text.slice(start, i);
            if (this.elem.length > this.maxChars) {
              this.tooLong = true;
              this.elem = '';
            }
          }
          continue;
        }
        case Mode.AfterArray:
        case Mode.Done: {
          if (this.trailing) return out;
          const c = text[i]!;
          i++;
          if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
          // Never drop data silently: an NDJSON file read as JSON would otherwise yield one record.
          out.push({
            ok: false,
            error: `unexpected '${c}' after the end of the JSON document (one JSON value per line is NDJSON: use --format ndjson)`,
          });
          this.mode = Mode.Done;
          this.trailing = true;
          return out;
        }
      }
    }
    return out;
  }

  end(): JsonElement[] {
    const out: JsonElement[] = [];
    if (this.mode === Mode.Array) {
      // A complete last element before the truncation still counts; the truncation is reported after it.
      if (this.elemHasContent && this.depth === 0 && !this.inString && !this.tooLong) {
        try {
          out.push({ ok: true, value: JSON.parse(this.elem) });
        } catch {
          // incomplete: only the error below
        }
      }
      out.push({ ok: false, error: 'unexpected end of input: the array is not closed' });
    } else if (this.mode === Mode.TopObject) {
      out.push({ ok: false, error: 'unexpected end of input: the object is not closed' });
    } else if (this.mode === Mode.Start) {
      // empty document: no elements
    }
    return out;
  }

  private slots = 0;

  private flushElement(out: JsonElement[], closing: boolean): void {
    const text = this.elem;
    this.elem = '';
    const index = this.slots++;
    if (!this.elemHasContent) {
      // `[]` yields nothing; `[1,,2]` or `[1,]` is an error.
      if (!(closing && index === 0)) out.push({ ok: false, error: 'empty array element (stray comma)' });
      return;
    }
    this.elemHasContent = false;
    if (this.tooLong || text.length > this.maxChars) {
      this.tooLong = false;
      out.push(this.tooLongError());
      return;
    }
    try {
      out.push({ ok: true, value: JSON.parse(text) });
    } catch (e) {
      out.push({ ok: false, error: (e as Error).message });
    }
  }
}
