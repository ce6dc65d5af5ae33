import { apiRequest, buildUrl, refreshSession } from '@/lib/api-client';
import { ApiError, toProblem } from '@/lib/api-error';
import { getAccessToken } from '@/lib/session';
import type { UploadState } from '../types';

export type UploadProgress = { sent: number; total: number };

export type UploadInput = {
  account?: string | undefined;
  path: string;
  file: Blob;
  onProgress: (progress: UploadProgress) => void;
};

/**
 * Uploads a file with progress (XMLHttpRequest: fetch reports no upload progress). The API
 * keeps what arrived when a transfer breaks (docs/files.md, Uploads), so after a failure the
 * upload asks how much arrived and sends the rest, once; a 401 refreshes the session first.
 */
export async function uploadFile(input: UploadInput): Promise<UploadState> {
  try {
    return await send(input, 0);
  } catch (error) {
    if (error instanceof ApiError && error.status !== 0 && error.status !== 401) throw error;
    if (error instanceof ApiError && error.status === 401 && !(await refreshSession())) throw error;
    const received = await arrived(input);
    return send(input, received);
  }
}

async function arrived({ account, path }: UploadInput): Promise<number> {
  try {
    return (await apiRequest<UploadState>('/files/upload', { query: { account, path } })).received;
  } catch {
    return 0; // start again from the beginning
  }
}

function send({ account, path, file, onProgress }: UploadInput, offset: number): Promise<UploadState> {
  const url = buildUrl('/files/content', { account, path, size: file.size, offset: offset || undefined });
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    request.setRequestHeader('Authorization', `Bearer ${getAccessToken() ?? ''}`);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.setRequestHeader('Accept', 'application/json, application/problem+json');
    request.upload.onprogress = (event) => onProgress({ sent: offset + event.loaded, total: file.size });
    request.onerror = () => reject(new ApiError(0));
    request.onload = () => {
      const body: unknown = request.responseText ? JSON.parse(request.responseText) : undefined;
      if (request.status >= 200 && request.status < 300) {
        onProgress({ sent: file.size, total: file.size });
        resolve(body as UploadState);
      } else {
        reject(new ApiError(request.status, toProblem(body)));
      }
    };
    request.send(file.slice(offset));
  });
}
