// The API's cron job shapes (docs/api.md, "Cron jobs"), from the generated types; only this
// feature reads them.
import type { Schemas } from '@/types/api';

export type CronJob = Schemas['CronJob'];
export type CronJobStatus = CronJob['status'];
