/** The task queue llmos workers poll unless `LLMOS_TASK_QUEUE` says otherwise. */
export const defaultTaskQueue = 'llmos';
