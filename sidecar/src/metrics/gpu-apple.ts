/**
 * Apple Silicon GPU signals from `ioreg -r -d 1 -w 0 -c IOAccelerator`: the IORegistry entry of each GPU
 * (AGXAccelerator…) carries a `PerformanceStatistics` dictionary the driver keeps current, readable
 * without root. It gives utilisation and the unified memory the GPU has in use; it has no temperature
 * and no power (those need `powermetrics`, i.e. root, or the SMC), so those series stay absent.
 *
 * The text form is one node per accelerator:
 *
 *     +-o AGXAcceleratorG13X  <class AGXAcceleratorG13X, id 0x…, registered, matched, active, …>
 *         {
 *           "model" = "Apple M1 Pro"
 *           "PerformanceStatistics" = {"Device Utilization %"=2,"In use system memory"=340983808,…}
 *         }
 */
import { GpuFormatError, plausible, type GpuReading, type GpuSource, type GpuVendor } from './gpu';

export const IOREG_ARGS = ['-r', '-d', '1', '-w', '0', '-c', 'IOAccelerator'] as const;

export class IoregFormatError extends GpuFormatError {}

/** A value of ioreg's text syntax: numbers, "strings", Yes/No, <data>, {dictionaries} and (arrays). */
export type IoregValue = number | string | boolean | IoregValue[] | { [key: string]: IoregValue };

const HEADER = /^[\s|]*\+-o\s+(\S+)\s+<class\s+([^,>\s]+)/;
const PROPERTY = /^\s*"([^"]*)"\s+=\s+(.*)$/;

/** Reads one value of ioreg's text syntax, all of `text` or a format error. */
export function parseIoregValue(text: string): IoregValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new IoregFormatError(`ioreg: ${what} at character ${i} of "${text.slice(0, 200)}"`);
  };
  const value = (depth: number): IoregValue => {
    if (depth > 32) fail('nesting too deep');
    const c = text[i];
    if (c === '{') {
      i++;
      const dict: { [key: string]: IoregValue } = {};
      if (text[i] === '}') return (i++, dict);
      for (;;) {
        if (text[i] !== '"') fail('expected a quoted key');
        const end = text.indexOf('"', i + 1);
        if (end < 0) fail('unterminated key');
        const key = text.slice(i + 1, end);
        i = end + 1;
        if (text[i] !== '=') fail('expected "="');
        i++;
        dict[key] = value(depth + 1);
        if (text[i] === ',') i++;
        else if (text[i] === '}') return (i++, dict);
        else fail('expected "," or "}"');
      }
    }
    if (c === '(') {
      i++;
      const list: IoregValue[] = [];
      if (text[i] === ')') return (i++, list);
      for (;;) {
        list.push(value(depth + 1));
        if (text[i] === ',') i++;
        else if (text[i] === ')') return (i++, list);
        else fail('expected "," or ")"');
      }
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (c === '<') {
      const end = text.indexOf('>', i + 1);
      if (end < 0) fail('unterminated data');
      const s = text.slice(i, end + 1);
      i = end + 1;
      return s;
    }
    const word = /^[^\s,(){}<>"=]+/.exec(text.slice(i))?.[0];
    if (!word) return fail('expected a value');
    i += word.length;
    const w = word;
    if (/^-?\d+$/.test(w)) return Number(w); // beyond 2^53 it is inexact; plausible.bytes rejects it
    if (w === 'Yes') return true;
    if (w === 'No') return false;
    return w;
  };
  const v = value(0);
  if (i !== text.length) fail('unexpected text after the value');
  return v;
}

interface Node {
  className: string;
  properties: Map<string, string>;
}

/** Splits the output into accelerator nodes, their properties kept as unparsed value text. */
function nodes(stdout: string): Node[] {
  const out: Node[] = [];
  let node: Node | undefined;
  let state: 'between' | 'header' | 'body' = 'between';
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    const header = HEADER.exec(line);
    if (header) {
      if (state !== 'between') throw new IoregFormatError(`ioreg: the node before "${t}" is not closed`);
      node = { className: header[2], properties: new Map() };
      out.push(node);
      state = 'header';
    } else if (state === 'header') {
      if (t === '{') state = 'body';
      else if (t) throw new IoregFormatError(`ioreg: expected "{" after a node header, got "${t}"`);
    } else if (state === 'body') {
      if (t === '}') state = 'between';
      else if (t) {
        const p = PROPERTY.exec(line);
        if (!p) throw new IoregFormatError(`ioreg: expected a "key" = value line, got "${t.slice(0, 200)}"`);
        node!.properties.set(p[1], p[2].trim());
      }
    } else if (t && t !== '|') {
      throw new IoregFormatError(`ioreg: expected a "+-o" node header, got "${t.slice(0, 200)}"`);
    }
  }
  if (state !== 'between') throw new IoregFormatError('ioreg: the output ends inside a node (truncated)');
  return out;
}

/** Apple's own GPUs are AGXAccelerator…; ioreg on an Intel Mac also lists Intel and AMD (or old NVIDIA) GPUs. */
function vendorOf(className: string): GpuVendor {
  if (/^Intel/i.test(className)) return 'intel';
  if (/^(AMD|ATI)/i.test(className)) return 'amd';
  if (/^(nv|NVDA|GeForce)/i.test(className)) return 'nvidia';
  return 'apple';
}

const stat = (stats: { [key: string]: IoregValue }, key: string): number | undefined => {
  // Exact keys only: "In use system memory (driver)" is another value than "In use system memory".
  const v = Object.prototype.hasOwnProperty.call(stats, key) ? stats[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/**
 * One reading per accelerator that has `PerformanceStatistics`, numbered in ioreg's order. Utilisation
 * is "Device Utilization %" (the renderer's when the device figure is missing); memory in use is
 * "In use system memory". There is no memory total: the GPU shares the machine's memory
 * (`ollama_host_memory_total_bytes`), and "Alloc system memory" is what the driver has reserved, not a
 * capacity.
 */
export function parseIoreg(stdout: string): GpuReading[] {
  const out: GpuReading[] = [];
  for (const node of nodes(stdout)) {
    const raw = node.properties.get('PerformanceStatistics');
    if (raw === undefined) continue;
    const stats = parseIoregValue(raw);
    if (typeof stats !== 'object' || Array.isArray(stats))
      throw new IoregFormatError(`ioreg: PerformanceStatistics of ${node.className} is not a dictionary`);
    const modelRaw = node.properties.get('model');
    const model = modelRaw === undefined ? undefined : parseIoregValue(modelRaw);
    const reading: GpuReading = {
      vendor: vendorOf(node.className),
      index: String(out.length),
      name: typeof model === 'string' && model.trim() ? model.trim() : node.className,
    };
    const util =
      plausible.ratioFromPercent(stat(stats, 'Device Utilization %')) ??
      plausible.ratioFromPercent(stat(stats, 'Renderer Utilization %'));
    const used = plausible.bytes(stat(stats, 'In use system memory'));
    if (util !== undefined) reading.utilizationRatio = util;
    if (used !== undefined) reading.memoryUsedBytes = used;
    out.push(reading);
  }
  return out;
}

export function ioregSource(command: string): GpuSource {
  return { tool: 'ioreg', command, args: IOREG_ARGS, parse: parseIoreg };
}
