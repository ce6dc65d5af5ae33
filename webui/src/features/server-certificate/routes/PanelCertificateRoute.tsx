import { ListLoadError } from '@/components/ListLoadError';
import { Card, LoadingState, PageHeader } from '@/components/ui';
import { useCertificateSettings } from '../api/get-certificate-settings';
import { usePanelCertificate } from '../api/get-panel-certificate';
import { CertificateAuthorityForm } from '../components/CertificateAuthorityForm';
import { PanelCertificateCard } from '../components/PanelCertificateCard';

/** Administrators only: the panel's own certificate, and the CA every certificate comes from. */
export function PanelCertificateRoute() {
  const certificate = usePanelCertificate();
  const settings = useCertificateSettings();
  return (
    <>
      <PageHeader
        title="Panel certificate"
        description="The HTTPS certificate of the panel's own host name, renewed by the panel before it expires."
      />
      <div className="stack">
        {certificate.isPending ? (
          <LoadingState label="Loading the panel certificate…" />
        ) : certificate.isError ? (
          <ListLoadError
            what="the panel certificate"
            error={certificate.error}
            retry={() => void certificate.refetch()}
          />
        ) : (
          <PanelCertificateCard certificate={certificate.data} />
        )}
        {settings.isPending ? (
          <LoadingState label="Loading the certificate authority…" />
        ) : settings.isError ? (
          <ListLoadError
            what="the certificate authority"
            error={settings.error}
            retry={() => void settings.refetch()}
          />
        ) : (
          <Card title="Certificate authority">
            {/* Keyed on the saved settings: a save that changes them starts the form afresh. */}
            <CertificateAuthorityForm key={JSON.stringify(settings.data)} settings={settings.data} />
          </Card>
        )}
      </div>
    </>
  );
}
