import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { FileEntry, FolderPage } from '../types';

function entry(overrides: Partial<FileEntry> = {}): FileEntry {
  return {
    path: 'index.php',
    name: 'index.php',
    kind: 'file',
    size: 2048,
    mode: '0644',
    modified_at: '2025-01-02T03:04:05Z',
    link_target: null,
    ...overrides,
  };
}

function page(items: FileEntry[], path = ''): FolderPage {
  return {
    folder: entry({ path, name: path.split('/').at(-1) ?? '', kind: 'folder', mode: '0750' }),
    items,
    next_page_token: null,
    unnamed: 0,
  };
}

/** An XMLHttpRequest stand-in: reports progress, then answers as the API would. */
class FakeUpload {
  static sent: { url: string; size: number }[] = [];
  static answers: (() => { status: number; body: unknown })[] = [];
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  status = 0;
  responseText = '';
  private url = '';
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader() {}
  send(body: Blob) {
    FakeUpload.sent.push({ url: this.url, size: body.size });
    const answer = FakeUpload.answers.shift();
    queueMicrotask(() => {
      this.upload.onprogress?.({ loaded: Math.floor(body.size / 2) });
      if (!answer) {
        this.onerror?.();
        return;
      }
      const { status, body: reply } = answer();
      this.status = status;
      this.responseText = JSON.stringify(reply);
      this.onload?.();
    });
  }
}

afterEach(() => {
  FakeUpload.sent = [];
  FakeUpload.answers = [];
  vi.unstubAllGlobals();
});

describe('files page', () => {
  it('lists a folder and opens a subfolder', async () => {
    signInAs(ownerUser());
    const api = mockApi({
      'GET /api/v1/files': (r) =>
        json(
          200,
          r.query.get('path') === 'site'
            ? page([entry({ path: 'site/a.txt', name: 'a.txt' })], 'site')
            : page([entry({ path: 'site', name: 'site', kind: 'folder' }), entry()]),
        ),
    });
    const { user } = renderApp('/panel/files');

    const table = await screen.findByRole('table', { name: 'Files' });
    expect(within(table).getByText('index.php')).toBeInTheDocument();
    expect(within(table).getByText('2 KB')).toBeInTheDocument();
    await user.click(within(table).getByRole('button', { name: 'site/' }));
    expect(await screen.findByText('a.txt')).toBeInTheDocument();
    expect(api.to('GET', '/api/v1/files').at(-1)!.query.get('path')).toBe('site');
  });

  it('uploads with progress and resumes after a broken transfer', async () => {
    signInAs(ownerUser());
    vi.stubGlobal('XMLHttpRequest', FakeUpload);
    // The first transfer breaks (no answer); the upload asks what arrived and sends the rest.
    FakeUpload.answers = [
      undefined as never,
      () => ({ status: 200, body: { received: 10, complete: true, file: entry({ name: 'big.bin' }) } }),
    ].filter(Boolean);
    FakeUpload.answers.unshift(undefined as never);
    const api = mockApi({
      'GET /api/v1/files': () => json(200, page([])),
      'GET /api/v1/files/upload': () => json(200, { received: 4, complete: false, file: null }),
    });
    const { user } = renderApp('/panel/files');
    await screen.findByText('This folder is empty');

    const file = new File(['0123456789'], 'big.bin');
    await user.upload(screen.getByLabelText('Files to upload'), file);
    const meter = await screen.findByRole('meter', { name: 'Upload of big.bin' });
    expect(await within(meter.parentElement!).findByText(/done/)).toBeInTheDocument();
    expect(FakeUpload.sent.map((s) => s.size)).toEqual([10, 6]);
    expect(FakeUpload.sent[1]!.url).toContain('offset=4');
    expect(api.to('GET', '/api/v1/files/upload')[0]!.query.get('path')).toBe('big.bin');
  });

  it('edits a text file within the size limit and saves it as text', async () => {
    signInAs(ownerUser());
    const api = mockApi({
      'GET /api/v1/files': () => json(200, page([entry()])),
      'GET /api/v1/files/text': () => json(200, { file: entry(), content: '<?php echo 1;' }),
      'PUT /api/v1/files/text': () => json(200, entry()),
    });
    const { user } = renderApp('/panel/files');

    await user.click(await screen.findByRole('button', { name: 'Edit index.php' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit index.php' });
    const content = await within(dialog).findByLabelText('Content');
    await user.clear(content);
    await user.type(content, 'hello');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('index.php saved.')).toBeInTheDocument();
    const saved = api.to('PUT', '/api/v1/files/text')[0]!;
    expect(saved.body).toBe('hello');
    expect(saved.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(saved.query.get('path')).toBe('index.php');
  });

  it('shows why a file cannot be edited', async () => {
    signInAs(ownerUser());
    mockApi({
      'GET /api/v1/files': () => json(200, page([entry({ name: 'big.log', path: 'big.log' })])),
      'GET /api/v1/files/text': () =>
        problem(409, { title: 'Conflict', detail: 'big.log: is larger than 2097152 bytes' }),
    });
    const { user } = renderApp('/panel/files');
    await user.click(await screen.findByRole('button', { name: 'Edit big.log' }));
    expect(await screen.findByText(/is larger than 2097152 bytes/)).toBeInTheDocument();
  });

  it('renames, sets permissions and deletes with the paths the API takes', async () => {
    signInAs(ownerUser());
    const api = mockApi({
      'GET /api/v1/files': () => json(200, page([entry()])),
      'POST /api/v1/files/move': () => json(200, entry({ path: 'home.php' })),
      'POST /api/v1/files/mode': () => json(200, entry({ mode: '0600' })),
      'DELETE /api/v1/files': () => new Response(null, { status: 204 }),
    });
    const { user } = renderApp('/panel/files');

    await user.click(await screen.findByRole('button', { name: 'Rename or move index.php' }));
    let dialog = screen.getByRole('dialog', { name: 'Rename or move index.php' });
    await user.clear(within(dialog).getByLabelText('New path'));
    await user.type(within(dialog).getByLabelText('New path'), 'home.php');
    await user.click(within(dialog).getByRole('button', { name: 'Rename' }));
    expect(api.to('POST', '/api/v1/files/move')[0]!.body).toEqual({
      path: 'index.php',
      destination: 'home.php',
    });

    await user.click(await screen.findByRole('button', { name: 'Permissions index.php' }));
    dialog = screen.getByRole('dialog', { name: 'Permissions of index.php' });
    await user.clear(within(dialog).getByLabelText('Mode (octal)'));
    await user.type(within(dialog).getByLabelText('Mode (octal)'), '0600');
    await user.click(within(dialog).getByRole('button', { name: 'Set' }));
    expect(api.to('POST', '/api/v1/files/mode')[0]!.body).toEqual({ path: 'index.php', mode: '0600' });

    await user.click(await screen.findByRole('button', { name: 'Delete index.php' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete' }));
    expect(api.to('DELETE', '/api/v1/files')[0]!.query.get('path')).toBe('index.php');
  });

  it('asks an administrator to name the account before listing', async () => {
    signInAs(adminUser);
    const api = mockApi({ 'GET /api/v1/files': () => json(200, page([])) });
    renderApp('/admin/files');
    expect(await screen.findByText('Name an account')).toBeInTheDocument();
    expect(api.to('GET', '/api/v1/files')).toEqual([]);
  });
});

describe('files page jobs', () => {
  it('extracts an archive as a job and says when it is done', async () => {
    signInAs(ownerUser());
    const job = {
      id: 'feedfacefeedfacefeedfacefeedface',
      account: 'alice',
      kind: 'extract',
      state: 'queued',
      stage: '',
      percent: 0,
      bytes_done: 0,
      bytes_total: 0,
      files_done: 0,
      files_total: 0,
      subject: 'site.zip',
      result: '',
      error: '',
      created_by: 'alice',
      created_at: '2025-01-02T03:04:05Z',
      started_at: null,
      finished_at: null,
    };
    const api = mockApi({
      'GET /api/v1/files': () => json(200, page([entry({ path: 'site.zip', name: 'site.zip' })])),
      'POST /api/v1/files/extract': () => json(202, job),
      [`GET /api/v1/jobs/${job.id}`]: () => json(200, { ...job, state: 'succeeded', files_done: 12 }),
    });
    const { user } = renderApp('/panel/files');

    await user.click(await screen.findByRole('button', { name: 'Extract site.zip' }));
    expect(api.to('POST', '/api/v1/files/extract')[0]!.body).toEqual({ path: 'site.zip', destination: '' });
    expect(await screen.findByText('Extraction finished: 12 files.')).toBeInTheDocument();
  });
});
