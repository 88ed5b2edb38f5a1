/**
 * Every number and date a person reads goes through here, formatted by `Intl` for their locale.
 *
 * Sizes and speeds use ONE unit system: binary (IEC) units, 1 KiB = 1024 bytes, written with the
 * international symbols B, KiB, MiB, GiB, TiB (and "/s" for speeds). The number itself is
 * formatted by `Intl.NumberFormat` (decimal separator, digits). Binary, because files are chunked
 * and limited in powers of two (a 50 MiB file reads "50 MiB", not "52.4 MB").
 *
 * Each function takes optional {@link FormatOptions}; the app passes none (the language the app
 * speaks, web/src/l10n/active-locale.ts, and the device's time zone), tests pass an explicit
 * locale and time zone.
 */
import { activeLocale } from '../l10n/active-locale';

export interface FormatOptions {
  /** BCP 47 locale(s); default: the language the app speaks. */
  locale?: string | readonly string[];
  /** IANA time zone for dates and times; default: the device's. */
  timeZone?: string;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.ListFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.ListFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key);
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f as T;
}

/** The locales asked for, else the app's language (web/src/l10n/active-locale.ts). */
function locales(o: FormatOptions): string[] {
  if (o.locale === undefined) return [activeLocale()];
  return typeof o.locale === 'string' ? [o.locale] : [...o.locale];
}

function localeKey(o: FormatOptions): string {
  return locales(o).join(',');
}

function numberFormat(o: FormatOptions, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(`n|${localeKey(o)}|${JSON.stringify(opts)}`, () => new Intl.NumberFormat(locales(o), opts));
}

function dateFormat(o: FormatOptions, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const all: Intl.DateTimeFormatOptions = o.timeZone ? { ...opts, timeZone: o.timeZone } : opts;
  return cached(`d|${localeKey(o)}|${JSON.stringify(all)}`, () => new Intl.DateTimeFormat(locales(o), all));
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A count of bytes: "0 B", "512 B", "1.5 KiB", "12 MiB" (one decimal below 10, none above). */
export function formatBytes(bytes: number, o: FormatOptions = {}): string {
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1024 && i < BINARY_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 ? 0 : v < 10 ? 1 : 0;
  const n = numberFormat(o, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(i === 0 ? Math.round(v) : v);
  return `${n} ${BINARY_UNITS[i]}`;
}

/** A transfer speed in the same units: "6.2 MiB/s". */
export function formatSpeed(bytesPerSecond: number, o: FormatOptions = {}): string {
  return `${formatBytes(bytesPerSecond, o)}/s`;
}

/** A whole percentage of a fraction 0…1, rounded down (never "100 %" before the end): "42%". */
export function formatPercent(fraction: number, o: FormatOptions = {}): string {
  const whole = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
  return numberFormat(o, { style: 'percent', maximumFractionDigits: 0 }).format(whole / 100);
}

/** A plain count with the locale's grouping: "4,000" in English. */
export function formatCount(n: number, o: FormatOptions = {}): string {
  return numberFormat(o, { maximumFractionDigits: 0 }).format(n);
}

/**
 * A duration, to the second below a minute and to the minute from an hour up, as the locale
 * writes unit lists: "5 sec", "3 min, 20 sec" / "1 hr, 5 min" (English), "3分钟20秒" (Chinese).
 */
export function formatDuration(seconds: number, o: FormatOptions = {}): string {
  const total = Math.max(1, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const unit = (value: number, u: 'hour' | 'minute' | 'second'): string => numberFormat(o, { style: 'unit', unit: u, unitDisplay: 'short' }).format(value);
  const parts = h > 0 ? [unit(h, 'hour'), ...(m > 0 ? [unit(m, 'minute')] : [])] : m > 0 ? [unit(m, 'minute'), ...(s > 0 ? [unit(s, 'second')] : [])] : [unit(s, 'second')];
  return cached(`l|${localeKey(o)}`, () => new Intl.ListFormat(locales(o), { type: 'unit', style: 'narrow' })).format(parts);
}

/** The time of day a message was written: "14:05" or "2:05 PM", as the locale writes it. */
export function formatTime(ts: number, o: FormatOptions = {}): string {
  return dateFormat(o, { hour: '2-digit', minute: '2-digit' }).format(ts);
}

/** A calendar date: "23 Nov 2026" / "2026年11月23日". */
export function formatDate(ts: number, o: FormatOptions = {}): string {
  return dateFormat(o, { dateStyle: 'medium' }).format(ts);
}

/** A date and time, e.g. for a key change in the history. */
export function formatDateTime(ts: number, o: FormatOptions = {}): string {
  return dateFormat(o, { dateStyle: 'medium', timeStyle: 'short' }).format(ts);
}

/** The calendar day of `ts` in the time zone, as a key ("2026-11-23"); equal keys mean one day. */
export function dayKey(ts: number, o: FormatOptions = {}): string {
  const parts = dateFormat({ ...o, locale: 'en-US' }, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ts);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Whole calendar days from `now`'s day to `ts`'s day (negative: in the past). */
function dayDifference(ts: number, now: number, o: FormatOptions): number {
  const utcDay = (key: string): number => Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, Number(key.slice(8, 10))) / 86_400_000;
  return utcDay(dayKey(ts, o)) - utcDay(dayKey(now, o));
}

function capitalize(text: string, o: FormatOptions): string {
  const first = text.charAt(0);
  return first.toLocaleUpperCase(locales(o)) + text.slice(1);
}

/**
 * The heading over one day of messages: "Today", "Yesterday" (Intl.RelativeTimeFormat), else the
 * full date: "Monday, 23 November 2026" as the locale writes it.
 */
export function formatDayHeading(ts: number, now: number, o: FormatOptions = {}): string {
  const diff = dayDifference(ts, now, o);
  if (diff === 0 || diff === -1) {
    const rtf = cached(`r|${localeKey(o)}`, () => new Intl.RelativeTimeFormat(locales(o), { numeric: 'auto' }));
    return capitalize(rtf.format(diff, 'day'), o);
  }
  return dateFormat(o, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(ts);
}

/** When the last message of a conversation was written: the time today, else the day ("23 Nov"). */
export function formatShortWhen(ts: number, now: number, o: FormatOptions = {}): string {
  if (!ts) return '';
  return dayDifference(ts, now, o) === 0 ? formatTime(ts, o) : dateFormat(o, { day: 'numeric', month: 'short' }).format(ts);
}

/**
 * A local date and time for a file name, the same in every locale so names sort by time:
 * "2026-11-23-14-05-09".
 */
export function fileNameStamp(ts: number, o: FormatOptions = {}): string {
  const parts = dateFormat({ ...o, locale: 'en-US' }, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ts);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}-${get('hour')}-${get('minute')}-${get('second')}`;
}
