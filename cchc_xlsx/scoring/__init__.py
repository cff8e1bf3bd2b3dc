"""CCHC scoring: criteria sets, self-assessment workbooks, checks, appraisal, ranking."""
