import { useRef, useState, type ChangeEvent } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import {
  Button,
  ConfirmDialog,
  EmptyState,
  LoadingState,
  PageHeader,
  Pagination,
  TextField,
  toast,
} from '@/components/ui';
import type { Area } from '@/config/paths';
import { useAccountFilter } from '@/lib/use-account-filter';
import { useCopyFile } from '../api/copy-file';
import { useCreateFolder } from '../api/create-folder';
import { useDeleteFile } from '../api/delete-file';
import { downloadFile } from '../api/download-file';
import { useExtractArchive } from '../api/extract-archive';
import { useFiles } from '../api/list-files';
import { useMakeArchive } from '../api/make-archive';
import { useMoveFile } from '../api/move-file';
import { useSetMode } from '../api/set-mode';
import { uploadFile } from '../api/upload-file';
import { useFileMutation } from '../api/file-mutation';
import { FilesTable, type FileAction } from '../components/FilesTable';
import { JobNotice } from '../components/JobNotice';
import { PathDialog } from '../components/PathDialog';
import { TextEditorDialog } from '../components/TextEditorDialog';
import { Uploads, type UploadRow } from '../components/Uploads';
import { join, parentOf, type FileEntry, type Job } from '../types';

type Asking = { action: 'folder' | 'rename' | 'copy' | 'mode' | 'archive'; entry: FileEntry | null };

export function FilesRoute({ area }: { area: Area }) {
  const filter = useAccountFilter(area);
  const account = area === 'admin' ? filter.account || undefined : undefined;
  const listable = area === 'panel' || Boolean(account);
  const [folder, setFolder] = useState('');
  const [tokens, setTokens] = useState<string[]>(['']);
  const files = useFiles(account, folder, tokens.at(-1) ?? '', listable);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<FileEntry | null>(null);
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const picker = useRef<HTMLInputElement>(null);
  const mutations = {
    folder: useCreateFolder(),
    rename: useMoveFile(),
    copy: useCopyFile(),
    mode: useSetMode(),
    archive: useMakeArchive(),
  };
  const remove = useDeleteFile();
  const extract = useExtractArchive();
  const upload = useFileMutation(uploadFile);

  const open = (path: string) => {
    setFolder(path);
    setTokens(['']);
  };
  const failed = (error: Error) => toast.error(error.message);
  // The archives and extractions started from this page, each followed until it ends.
  const [jobs, setJobs] = useState<Job[]>([]);
  const started = (job: Job) => setJobs((list) => [job, ...list]);

  const onAction = (action: FileAction, entry: FileEntry) => {
    if (action === 'open') open(entry.path);
    else if (action === 'download') downloadFile(account, entry.path, entry.name).catch(failed);
    else if (action === 'edit') setEditing(entry.path);
    else if (action === 'delete') setDeleting(entry);
    else if (action === 'extract')
      extract.mutate(
        { account, path: entry.path, destination: folder },
        { onSuccess: started, onError: failed },
      );
    else setAsking({ action, entry });
  };

  const onUpload = (event: ChangeEvent<HTMLInputElement>) => {
    for (const file of Array.from(event.target.files ?? [])) {
      const id = Date.now() + Math.random();
      const row: UploadRow = { id, name: file.name, sent: 0, total: file.size, state: 'sending' };
      const update = (patch: Partial<UploadRow>) =>
        setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...patch } : u)));
      setUploads((list) => [row, ...list]);
      upload.mutate(
        { account, path: join(folder, file.name), file, onProgress: ({ sent }) => update({ sent }) },
        {
          onSuccess: () => update({ state: 'done', sent: file.size }),
          onError: (error) => update({ state: 'failed', error: error.message }),
        },
      );
    }
    event.target.value = '';
  };

  const submitAsked = (value: string) => {
    if (!asking) return;
    const { action, entry } = asking;
    const done = { onSuccess: () => setAsking(null) };
    if (action === 'folder') mutations.folder.mutate({ account, path: join(folder, value) }, done);
    else if (entry && action === 'rename')
      mutations.rename.mutate({ account, path: entry.path, destination: value }, done);
    else if (entry && action === 'copy')
      mutations.copy.mutate({ account, path: entry.path, destination: value }, done);
    else if (entry && action === 'mode')
      mutations.mode.mutate({ account, path: entry.path, mode: value }, done);
    else if (entry && action === 'archive')
      mutations.archive.mutate(
        { account, folder, names: [entry.name], destination: join(folder, value), format: 'zip' },
        {
          onSuccess: (job) => {
            setAsking(null);
            started(job);
          },
        },
      );
  };

  const crumbs = folder ? folder.split('/') : [];
  return (
    <>
      <PageHeader
        title="Files"
        description="Your home folder: every change is made as your own account, never through a link."
        actions={
          <>
            <Button onClick={() => setAsking({ action: 'folder', entry: null })} disabled={!listable}>
              New folder
            </Button>
            <Button variant="primary" onClick={() => picker.current?.click()} disabled={!listable}>
              Upload files
            </Button>
            <input
              ref={picker}
              type="file"
              multiple
              hidden
              aria-label="Files to upload"
              onChange={onUpload}
            />
          </>
        }
      />
      {area === 'admin' ? (
        <div className="toolbar">
          <TextField
            label="Account"
            required={false}
            markOptional={false}
            placeholder="Name an account"
            value={filter.input}
            onChange={(e) => filter.setInput(e.target.value)}
            autoCapitalize="off"
            spellCheck={false}
          />
        </div>
      ) : null}
      <nav aria-label="Folder" className="toolbar">
        <Button size="sm" variant="ghost" onClick={() => open('')}>
          Home
        </Button>
        {crumbs.map((name, index) => (
          <Button
            key={crumbs.slice(0, index + 1).join('/')}
            size="sm"
            variant="ghost"
            onClick={() => open(crumbs.slice(0, index + 1).join('/'))}
          >
            {`/ ${name}`}
          </Button>
        ))}
        {folder ? (
          <Button size="sm" onClick={() => open(parentOf(folder))}>
            Up
          </Button>
        ) : null}
      </nav>
      <Uploads uploads={uploads} />
      {jobs.map((job) => (
        <JobNotice key={job.id} job={job} />
      ))}
      {!listable ? (
        <EmptyState title="Name an account">Type an account’s name to see its files.</EmptyState>
      ) : null}
      {listable && files.isPending ? <LoadingState label="Loading files" /> : null}
      {files.isError ? (
        <ListLoadError
          what="files"
          account={account}
          error={files.error}
          retry={() => void files.refetch()}
        />
      ) : null}
      {files.data ? (
        files.data.items.length === 0 ? (
          <EmptyState title="This folder is empty">Upload files or make a folder.</EmptyState>
        ) : (
          <FilesTable entries={files.data.items} busy={files.isPlaceholderData} onAction={onAction} />
        )
      ) : null}
      <Pagination
        label="Files pages"
        page={tokens.length}
        hasPrevious={tokens.length > 1}
        hasNext={Boolean(files.data?.next_page_token)}
        onPrevious={() => setTokens((t) => t.slice(0, -1))}
        onNext={() => setTokens((t) => [...t, files.data?.next_page_token ?? ''])}
        busy={files.isFetching}
      />
      {asking ? (
        <PathDialog
          {...dialogText(asking, folder)}
          pending={mutations[asking.action].isPending}
          error={mutations[asking.action].error?.message}
          onSubmit={submitAsked}
          onClose={() => setAsking(null)}
        />
      ) : null}
      {editing !== null ? (
        <TextEditorDialog account={account} path={editing} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error?.message}
        onCancel={() => setDeleting(null)}
        onConfirm={() =>
          deleting && remove.mutate({ account, path: deleting.path }, { onSuccess: () => setDeleting(null) })
        }
      >
        {deleting?.kind === 'folder'
          ? 'The folder and everything in it are deleted for good.'
          : 'The file is deleted for good.'}
      </ConfirmDialog>
    </>
  );
}

function dialogText({ action, entry }: Asking, folder: string) {
  const name = entry?.name ?? '';
  switch (action) {
    case 'folder':
      return { title: 'New folder', label: 'Folder name', initial: '', submitLabel: 'Make folder' };
    case 'rename':
      return {
        title: `Rename or move ${name}`,
        label: 'New path',
        initial: entry?.path ?? '',
        submitLabel: 'Rename',
        hint: 'Relative to your home folder.',
      };
    case 'copy':
      return {
        title: `Copy ${name}`,
        label: 'Copy to',
        initial: join(folder, `copy of ${name}`),
        submitLabel: 'Copy',
        hint: 'Relative to your home folder.',
      };
    case 'mode':
      return {
        title: `Permissions of ${name}`,
        label: 'Mode (octal)',
        initial: entry?.mode ?? '0644',
        submitLabel: 'Set',
        hint: 'Such as 0644 for files and 0755 for folders.',
      };
    case 'archive':
      return {
        title: `Make a zip of ${name}`,
        label: 'Archive name',
        initial: `${name}.zip`,
        submitLabel: 'Make zip',
      };
  }
}
