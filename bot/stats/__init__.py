"""Statistics the province can sign: a daily rollup kept in step with the event log, training
sessions, and period reports (CSV, XLSX, Markdown, PNG) whose every figure traces to events."""
