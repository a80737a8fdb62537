// A badge telling partners whether a feature exists today, is being built, or is planned.
import React from 'react';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';

const LABELS = {
  fr: { built: 'Disponible', building: 'En cours de développement', planned: 'Prévu' },
  en: { built: 'Available', building: 'Being built', planned: 'Planned' },
};
const CLASSES = { built: 'badge--success', building: 'badge--warning', planned: 'badge--secondary' };

export default function Status({ kind }) {
  const { i18n } = useDocusaurusContext();
  const labels = LABELS[i18n.currentLocale] ?? LABELS.en;
  return <span className={`badge badge--status ${CLASSES[kind]}`}>{labels[kind]}</span>;
}
