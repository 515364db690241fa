/** Page "Cluster": the cluster name, its language and a comment. */
import { useI18n } from '../../../lib/i18n/i18n-context';
import { S } from '../../../lib/i18n/strings';
import { BoundSelect, BoundText } from '../bound-fields';
import { under } from '../scope';

export const clusterPageScope = under(['cluster', 'name'], ['cluster', 'comment'], ['cluster', 'language']);

export function ClusterPage() {
  const { t } = useI18n();
  return (
    <div className="form-grid">
      <BoundText path={['cluster', 'name']} label={t(S.clusterName)} placeholder="cluster" />
      <BoundSelect
        path={['cluster', 'language']}
        label={t(S.language)}
        help={t(S.clusterLanguageHelp)}
        options={[
          { value: 'en', label: t(S.langEnglish) },
          { value: 'ja', label: t(S.langJapanese) },
        ]}
      />
      <BoundText path={['cluster', 'comment']} label={t(S.comment)} />
    </div>
  );
}
