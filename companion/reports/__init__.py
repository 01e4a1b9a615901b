"""Reports for professionals and patients: progress report, GP summary, FHIR export."""
