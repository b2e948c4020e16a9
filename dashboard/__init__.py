"""Dashboard: the Streamlit app (views only; reads and writes go through storage and triage)."""
