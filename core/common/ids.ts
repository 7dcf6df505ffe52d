import { v7 as uuidv7 } from 'uuid';

/** Client-generated, time-ordered keys (UUIDv7): allocatable offline without collisions. */
export const newId = (): string => uuidv7();
