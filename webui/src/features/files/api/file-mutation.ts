import { useMutation, useQueryClient } from '@tanstack/react-query';
import { invalidateFiles } from './keys';

/** A change to the home: every listing is read again after it. */
export function useFileMutation<I, O>(mutationFn: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => invalidateFiles(queryClient) });
}
