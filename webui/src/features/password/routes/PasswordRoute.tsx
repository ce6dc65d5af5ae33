import { Card, FactList, PageHeader, Section } from '@/components/ui';
import { ROLE_NAMES } from '@/lib/role-names';
import { useSession } from '@/lib/session';
import { PanelPasswordForm } from '../components/PanelPasswordForm';

/** The administration app's own sign-in: who is signed in, and the panel password. */
export function PasswordRoute() {
  // The guards let no one in without a user; the session is also what the sidebar shows.
  const user = useSession((s) => s.user);
  return (
    <>
      <PageHeader title="Your password" description="The password you sign in to this panel with." />
      <div className="stack">
        {user ? (
          <Card title="Signed in as">
            <FactList
              facts={[
                { term: 'Name', value: user.name },
                { term: 'Role', value: ROLE_NAMES[user.role] },
              ]}
            />
          </Card>
        ) : null}
        <Section title="Panel password">
          <PanelPasswordForm />
        </Section>
      </div>
    </>
  );
}
