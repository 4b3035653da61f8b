"""The Hydra configuration, shipped inside the package (samenkracht.conf) so an installed wheel finds it."""
