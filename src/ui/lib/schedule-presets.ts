import type { ScheduleSpec } from '../../sdk/index.ts';

/** How the form expresses a schedule; presets are sugar that produce cron expressions. */
export type PresetKind = 'minutes' | 'hourly' | 'daily' | 'weekdays' | 'weekly' | 'monthly' | 'once' | 'cron';

export interface PresetState {
  kind: PresetKind;
  minutes: number;
  minute: number;
  time: string;
  weekday: number;
  dayOfMonth: number;
  /** `YYYY-MM-DDTHH:MM`, wall time in the schedule's zone. */
  onceAt: string;
  cron: string;
}

export const presetLabels: Record<PresetKind, string> = {
  minutes: 'Every N minutes',
  hourly: 'Hourly',
  daily: 'Daily',
  weekdays: 'Weekdays',
  weekly: 'Weekly',
  monthly: 'Monthly',
  once: 'Once',
  cron: 'Cron',
};

export const weekdayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function defaultPreset(): PresetState {
  const tomorrow = new Date(Date.now() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    kind: 'daily',
    minutes: 15,
    minute: 0,
    time: '09:00',
    weekday: 1,
    dayOfMonth: 1,
    onceAt: `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T09:00`,
    cron: '0 9 * * 1-5',
  };
}

function hourMinute(time: string): [number, number] {
  const [h = '0', m = '0'] = time.split(':');
  return [Number(h) || 0, Number(m) || 0];
}

/** The cron expression (or interval) a preset stands for; `once` is handled by the caller. */
export function presetSpec(state: PresetState): Omit<ScheduleSpec, 'timezone'> {
  const [h, m] = hourMinute(state.time);
  switch (state.kind) {
    case 'minutes': {
      const n = Math.max(1, Math.floor(state.minutes));
      // */N only fires evenly when N divides the hour; otherwise an interval does.
      return n < 60 && 60 % n === 0 ? { cron: n === 1 ? '* * * * *' : `*/${n} * * * *` } : { every: `${n}m` };
    }
    case 'hourly':
      return { cron: `${state.minute} * * * *` };
    case 'daily':
      return { cron: `${m} ${h} * * *` };
    case 'weekdays':
      return { cron: `${m} ${h} * * 1-5` };
    case 'weekly':
      return { cron: `${m} ${h} * * ${state.weekday}` };
    case 'monthly':
      return { cron: `${m} ${h} ${state.dayOfMonth} * *` };
    case 'cron':
    case 'once':
      return { cron: state.cron.trim() };
  }
}

const pad2 = (n: string) => n.padStart(2, '0');

/**
 * Recognises a cron expression a preset produced, for editing; anything else opens on the Cron tab
 * as it was written: a preset that would save a different expression (a cron every 7 minutes as an
 * interval, `00 9` as `0 9`) is not used.
 */
export function presetFromSpec(spec: { cron?: string | null }, base: PresetState = defaultPreset()): PresetState {
  const cron = spec.cron?.trim();
  const preset = guessPreset(cron, base);
  if (preset.kind === 'cron') return preset;
  const again = presetSpec(preset);
  return 'cron' in again && again.cron === cron ? preset : { ...base, kind: 'cron', cron: cron ?? '' };
}

function guessPreset(cron: string | undefined, base: PresetState): PresetState {
  if (!cron) return { ...base, kind: 'cron', cron: '' };
  const state = { ...base, kind: 'cron' as PresetKind, cron };
  const fields = cron.split(/\s+/);
  if (fields.length !== 5) return state;
  const [min, hour, dom, mon, dow] = fields as [string, string, string, string, string];
  const num = /^\d{1,2}$/;
  if (mon !== '*') return state;
  if (min === '*' && hour === '*' && dom === '*' && dow === '*') return { ...state, kind: 'minutes', minutes: 1 };
  const step = /^\*\/(\d+)$/.exec(min);
  if (step && hour === '*' && dom === '*' && dow === '*')
    return { ...state, kind: 'minutes', minutes: Number(step[1]) };
  if (num.test(min) && hour === '*' && dom === '*' && dow === '*')
    return { ...state, kind: 'hourly', minute: Number(min) };
  if (!num.test(min) || !num.test(hour)) return state;
  const time = `${pad2(hour)}:${pad2(min)}`;
  if (dom === '*' && dow === '*') return { ...state, kind: 'daily', time };
  if (dom === '*' && dow === '1-5') return { ...state, kind: 'weekdays', time };
  if (dom === '*' && /^[0-6]$/.test(dow)) return { ...state, kind: 'weekly', time, weekday: Number(dow) };
  if (num.test(dom) && dow === '*') return { ...state, kind: 'monthly', time, dayOfMonth: Number(dom) };
  return state;
}
