"""DOM heuristics for shops without (enough) markup: the title next to the gallery, the price
next to the title and the buy button, labelled values, the description block, breadcrumbs,
the gallery around the main picture, and embedded videos."""
