import { describe, expect, it } from 'vitest';
import { closestOption, distance, parseArgsError } from './cli-args.js';

describe('kard-mock command-line errors', () => {
  it('edit distance counts insertions, deletions, substitutions and swapped neighbours as one', () => {
    expect(distance('port', 'port')).toBe(0);
    expect(distance('prot', 'port')).toBe(1);
    expect(distance('prt', 'port')).toBe(1);
    expect(distance('poort', 'port')).toBe(1);
    expect(distance('pert', 'port')).toBe(1);
    expect(distance('', 'log')).toBe(3);
    expect(distance('webhook', 'log')).toBeGreaterThan(3);
  });

  it('suggests the nearest known option only when it is close', () => {
    const near = closestOption(['port', 'state', 'log', 'webhook-url']);
    expect(near('--prot')).toBe('--port');
    expect(near('--sate=x')).toBe('--state');
    expect(near('--lgo')).toBe('--log');
    expect(near('--verbose')).toBeUndefined();
    expect(near('--webhook')).toBeUndefined(); // 4 edits away from webhook-url
  });

  it('turns parseArgs errors into one lower-case line', () => {
    const near = closestOption(['port']);
    expect(
      parseArgsError(
        { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION', message: "Unknown option '--prot'. To…" },
        near,
      ),
    ).toBe("unknown option '--prot'; did you mean --port?");
    expect(
      parseArgsError({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION', message: "Unknown option '--zzz'." }, near),
    ).toBe("unknown option '--zzz'");
    expect(
      parseArgsError(
        { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL', message: "Unexpected argument 'x'. This…" },
        near,
      ),
    ).toBe("unexpected argument 'x'");
    expect(parseArgsError(new Error("Option '--port' argument missing\nmore"), near)).toBe(
      "option '--port' argument missing",
    );
  });
});
