/** Redraws a component whenever the classroom controller changed (one redraw per burst of events). */
import { useSyncExternalStore } from 'react';
import type { ClassroomController } from '../classroom-controller.js';

export function useController(controller: ClassroomController): number {
  return useSyncExternalStore(controller.subscribe, () => controller.snapshot);
}
