/** The operator's facts the shipped notice templates need (notice.* in the config), for tests and the demo. */
export const SAMPLE_NOTICE_FACTS = {
  controller: 'Beispiel GmbH, Musterstraße 1, 10115 Berlin',
  contact: 'datenschutz@example.org',
  bbbProvider: 'Beispiel Hosting GmbH, Hostweg 2, 01099 Dresden',
  bbbProviderPrivacyUrl: 'https://hosting.example.org/datenschutz',
  finalDeletion:
    'BigBlueButton verschiebt gelöschte Aufzeichnungen in einen Papierkorb; Beispiel Hosting leert ihn jede Nacht, Sicherungskopien werden nach zwei Wochen überschrieben.',
};
