import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, LoadingState, TextArea, toast } from '@/components/ui';
import { formatBytes } from '@/lib/format';
import { useTextFile, useWriteTextFile } from '../api/text-file';
import { TEXT_LIMIT } from '../types';

type TextEditorDialogProps = { account: string | undefined; path: string; onClose: () => void };

/** Edits a text file of at most 2 MiB; saving replaces the file at once, keeping its mode. */
export function TextEditorDialog({ account, path, onClose }: TextEditorDialogProps) {
  const file = useTextFile(account, path);
  return (
    <Dialog open onClose={onClose} title={`Edit ${path}`}>
      {file.isPending ? <LoadingState label="Opening the file" /> : null}
      {file.isError ? <Alert tone="error">{file.error.message}</Alert> : null}
      {file.data ? (
        <Editor account={account} path={path} initial={file.data.content} onClose={onClose} />
      ) : null}
    </Dialog>
  );
}

function Editor({ account, path, initial, onClose }: TextEditorDialogProps & { initial: string }) {
  const [content, setContent] = useState(initial);
  const save = useWriteTextFile();
  const size = new TextEncoder().encode(content).length;
  const tooLarge = size > TEXT_LIMIT;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (tooLarge) return;
    save.mutate(
      { account, path, content },
      {
        onSuccess: () => {
          toast.success(`${path} saved.`);
          onClose();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="stack">
      {save.isError ? <Alert tone="error">{save.error.message}</Alert> : null}
      <TextArea
        label="Content"
        rows={20}
        value={content}
        spellCheck={false}
        onChange={(e) => setContent(e.target.value)}
        error={tooLarge ? `At most ${formatBytes(TEXT_LIMIT)}: this is ${formatBytes(size)}.` : undefined}
        hint={`${formatBytes(size)} of at most ${formatBytes(TEXT_LIMIT)}`}
      />
      <div className="dialog__actions">
        <Button type="button" onClick={onClose} disabled={save.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={save.isPending} disabled={tooLarge}>
          Save
        </Button>
      </div>
    </form>
  );
}
