import { apiBlob } from '@/lib/api-client';

/**
 * Fetches a file with the session's token and hands it to the browser as a download. The
 * bytes are held by the browser until saved: the API needs a bearer token, which a plain link
 * cannot send (docs/files.md).
 */
export async function downloadFile(account: string | undefined, path: string, name: string) {
  const blob = await apiBlob('/files/content', { query: { account, path } });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
