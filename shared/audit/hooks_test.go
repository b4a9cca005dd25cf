package audit

// SetExportPage makes Export page in n entries, so tests can make a small
// export cross several pages.
func SetExportPage(st *Store, n int) { st.exportPage = n }
