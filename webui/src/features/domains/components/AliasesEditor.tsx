import { useEffect, useRef } from 'react';
import { Button, Fieldset, TextField } from '@/components/ui';
import { aliasField, type AliasRow } from './alias-rows';

type AliasesEditorProps = {
  rows: readonly AliasRow[];
  onAdd: () => void;
  onRemove: (id: number) => void;
  onUpdate: (id: number, value: string) => void;
  /** Errors by field name: `aliases` for the list, `aliases.N` per row. */
  errorFor: (field: string) => string | undefined;
  /** Tells the form which fields changed, so their server errors go away. */
  markEdited: (field: string) => void;
};

/** A list of alias inputs, each with its own label, error and remove button. */
export function AliasesEditor({ rows, onAdd, onRemove, onUpdate, errorFor, markEdited }: AliasesEditorProps) {
  const list = useRef<HTMLDivElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  // Where focus goes after a row is added (the new row) or removed (the row now in its place).
  const focusRow = useRef<'last' | number | null>(null);

  // After every render, not on a dependency: the row change asked for focus through the ref.
  useEffect(() => {
    const target = focusRow.current;
    if (target === null) return;
    focusRow.current = null;
    const inputs = list.current?.querySelectorAll('input') ?? [];
    const index = target === 'last' ? inputs.length - 1 : Math.min(target, inputs.length - 1);
    (inputs[index] ?? addButton.current)?.focus();
  });

  return (
    <Fieldset
      legend="Aliases"
      optional
      hint="Other names that show the same site, such as www.example.com. *.example.com shows it for every name below example.com, which must be the domain or an alias too; its certificate needs this server to serve the zone example.com."
      error={errorFor('aliases')}
    >
      <div className="alias-list" ref={list}>
        {rows.map((row, index) => (
          <div className="alias-row" key={row.id}>
            <TextField
              label={`Alias ${index + 1}`}
              value={row.value}
              onChange={(e) => {
                onUpdate(row.id, e.target.value);
                markEdited(aliasField(index));
              }}
              error={errorFor(aliasField(index))}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
            />
            <Button
              size="sm"
              variant="ghost"
              className="alias-row__remove"
              aria-label={`Remove alias ${index + 1}`}
              onClick={() => {
                // Rows below move up one: their old server errors no longer fit them.
                for (let i = index; i < rows.length; i++) markEdited(aliasField(i));
                focusRow.current = index;
                onRemove(row.id);
              }}
            >
              Remove
            </Button>
          </div>
        ))}
      </div>
      <div>
        <Button
          ref={addButton}
          size="sm"
          onClick={() => {
            focusRow.current = 'last';
            onAdd();
          }}
        >
          Add alias
        </Button>
      </div>
    </Fieldset>
  );
}
