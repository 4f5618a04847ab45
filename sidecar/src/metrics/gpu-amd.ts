/**
 * AMD GPU signals from `rocm-smi … --json` (ROCm's System Management Interface; reads amdgpu's sysfs
 * files, no root). The JSON is `{ "card0": { "<label>": "<value>", … }, …, "system": {…} }` with every
 * value a string; the labels are those of rocm-smi's text output and have changed across releases, so
 * each field is looked up under every name it has had.
 */
import { GpuFormatError, plausible, type GpuReading, type GpuSource } from './gpu';

export const ROCM_SMI_ARGS = [
  '--showuse',
  '--showmeminfo',
  'vram',
  '--showtemp',
  '--showpower',
  '--showproductname',
  '--json',
] as const;

export class RocmSmiFormatError extends GpuFormatError {}

/**
 * Field names by release, matched without regard to case (`(C)` was once `(c)`); the first one with a
 * usable value wins, so an MI300 without an edge sensor (`N/A`) reports its junction temperature.
 */
const KEYS = {
  name: ['Card Series', 'Device Name'],
  use: ['GPU use (%)'],
  used: ['VRAM Total Used Memory (B)'],
  total: ['VRAM Total Memory (B)'],
  // The edge sensor is the one every AMD GPU has and the one rocm-smi's summary shows; junction next.
  temperature: ['Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)'],
  // ROCm ≤ 5.7 and MI200 report an average, ROCm 6 on RDNA3/MI300 the current socket power.
  power: ['Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)'],
} as const;

type Card = Record<string, unknown>;

function first<T>(card: Card, names: readonly string[], read: (v: unknown) => T | undefined): T | undefined {
  const lower = new Map(Object.keys(card).map((k) => [k.toLowerCase(), k]));
  for (const n of names) {
    const key = lower.get(n.toLowerCase());
    const v = key === undefined ? undefined : read(card[key]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** "45.0", "0", 6.0 → a number; "N/A", "N/A (Secondary die)", "(480Mhz)", objects → absent. */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t && !/^N\/A\b/i.test(t) ? t : undefined;
}

/**
 * The JSON starts at the first line that opens an object: some rocm-smi releases print a warning line
 * before it on stdout. Anything else that is not one JSON object of `cardN` objects is a format error.
 */
export function parseRocmSmi(stdout: string): GpuReading[] {
  const start = stdout.search(/^\s*\{/m);
  if (start < 0) {
    if (!stdout.trim()) return [];
    throw new RocmSmiFormatError(`rocm-smi: expected a JSON object, got "${stdout.trim().slice(0, 200)}"`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(stdout.slice(start));
  } catch (err) {
    throw new RocmSmiFormatError(`rocm-smi: output is not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new RocmSmiFormatError('rocm-smi: expected a JSON object of cards');

  const out: GpuReading[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const m = /^card(\d+)$/.exec(key);
    if (!m) continue; // "system" and whatever later releases add beside the cards
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new RocmSmiFormatError(`rocm-smi: "${key}" is not an object`);
    const card = value as Card;
    const reading: GpuReading = { vendor: 'amd', index: m[1], name: first(card, KEYS.name, text) ?? '' };
    const util = first(card, KEYS.use, (v) => plausible.ratioFromPercent(num(v)));
    const used = first(card, KEYS.used, (v) => plausible.bytes(num(v)));
    const total = first(card, KEYS.total, (v) => plausible.bytes(num(v)));
    const temp = first(card, KEYS.temperature, (v) => plausible.celsius(num(v)));
    const power = first(card, KEYS.power, (v) => plausible.watts(num(v)));
    if (util !== undefined) reading.utilizationRatio = util;
    if (used !== undefined) reading.memoryUsedBytes = used;
    if (total !== undefined) reading.memoryTotalBytes = total;
    if (temp !== undefined) reading.temperatureCelsius = temp;
    if (power !== undefined) reading.powerWatts = power;
    out.push(reading);
  }
  return out.sort((a, b) => Number(a.index) - Number(b.index));
}

export function rocmSmiSource(command: string): GpuSource {
  return { tool: 'rocm-smi', command, args: ROCM_SMI_ARGS, parse: parseRocmSmi };
}
