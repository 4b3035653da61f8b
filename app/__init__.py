"""The students' page in the browser: a Mesa SolaraViz page on the care-network model (samenkracht-app)."""
