/** The operator's facts the shipped notice templates need (notice.* in the config), for tests and the demo. */
export const SAMPLE_NOTICE_FACTS = {
  controller: 'Beispiel GmbH, Musterstraße 1, 10115 Berlin',
  contact: 'datenschutz@example.org',
  bbbProvider: 'Beispiel Hosting GmbH, Hostweg 2, 01099 Dresden',
  bbbProviderPrivacyUrl: 'https://hosting.example.org/datenschutz',
  dpo: 'Dr. Daten Schutz, dsb@example.org',
  homeserverOperator: 'Beispiel GmbH (eigener Matrix-Server), Musterstraße 1, 10115 Berlin',
  thirdCountry:
    'Der BigBlueButton-Server und der Matrix-Server stehen in Deutschland; Daten werden nicht in Drittländer übermittelt.',
  logRetention:
    'Das Protokoll des Bots wird nach zwei Wochen gelöscht, Sicherungen seiner Datenbank nach einem Monat.',
  finalDeletion:
    'BigBlueButton verschiebt gelöschte Aufzeichnungen in einen Papierkorb; Beispiel Hosting leert ihn jede Nacht, Sicherungskopien werden nach zwei Wochen überschrieben.',
};
