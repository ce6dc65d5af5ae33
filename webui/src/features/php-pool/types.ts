import type { Schemas } from '@/types/api';

/** An account's PHP-FPM pool limits, the same for each PHP version it uses. */
export type PhpPool = Schemas['PhpPool'];
export type PhpPoolUpdate = Schemas['PhpPoolUpdate'];
export type ProcessManager = PhpPool['pm'];
