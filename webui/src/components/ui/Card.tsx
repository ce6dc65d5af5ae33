import { useId, type ReactNode } from 'react';

type CardProps = { title?: string; actions?: ReactNode; children: ReactNode; className?: string };

export function Card({ title, actions, children, className }: CardProps) {
  const titleId = useId();
  return (
    <section
      className={['card', className].filter(Boolean).join(' ')}
      aria-labelledby={title ? titleId : undefined}
    >
      {title || actions ? (
        <div className="card__header">
          {title ? (
            <h2 className="card__title" id={titleId}>
              {title}
            </h2>
          ) : null}
          {actions ? <div className="card__actions">{actions}</div> : null}
        </div>
      ) : null}
      <div className="card__body">{children}</div>
    </section>
  );
}

/** A term/value list for facts about one thing (an account, a server). */
export function FactList({ facts }: { facts: readonly { term: string; value: ReactNode }[] }) {
  return (
    <dl className="facts">
      {facts.map((f) => (
        <div className="facts__row" key={f.term}>
          <dt>{f.term}</dt>
          <dd>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}
