"""The students' page in the browser (samenkracht-app): a Solara page that steps the care-network model."""
