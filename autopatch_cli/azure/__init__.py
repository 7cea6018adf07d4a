"""Azure facts as data: regions and their pairs and zones, images and sizes, features and providers."""
