"""Official class lists of the remote-sensing scene datasets.

Each tuple holds the class folder names exactly as they appear in the
dataset's official release, in alphabetical order (the order every public
benchmark uses for label indices). Kept free of mmpretrain so that the split
and merge tools can use them on their own.
"""
from typing import Dict, Tuple

# UC Merced Land Use (Yang & Newsam, 2010): UCMerced_LandUse/Images/<class>/
UCMERCED_CLASSES: Tuple[str, ...] = (
    'agricultural', 'airplane', 'baseballdiamond', 'beach', 'buildings',
    'chaparral', 'denseresidential', 'forest', 'freeway', 'golfcourse',
    'harbor', 'intersection', 'mediumresidential', 'mobilehomepark',
    'overpass', 'parkinglot', 'river', 'runway', 'sparseresidential',
    'storagetanks', 'tenniscourt')

# AID (Xia et al., 2017): AID/<Class>/
AID_CLASSES: Tuple[str, ...] = (
    'Airport', 'BareLand', 'BaseballField', 'Beach', 'Bridge', 'Center',
    'Church', 'Commercial', 'DenseResidential', 'Desert', 'Farmland',
    'Forest', 'Industrial', 'Meadow', 'MediumResidential', 'Mountain', 'Park',
    'Parking', 'Playground', 'Pond', 'Port', 'RailwayStation', 'Resort',
    'River', 'School', 'SparseResidential', 'Square', 'Stadium',
    'StorageTanks', 'Viaduct')

# NWPU-RESISC45 (Cheng et al., 2017): NWPU-RESISC45/<class>/
NWPU_RESISC45_CLASSES: Tuple[str, ...] = (
    'airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach',
    'bridge', 'chaparral', 'church', 'circular_farmland', 'cloud',
    'commercial_area', 'dense_residential', 'desert', 'forest', 'freeway',
    'golf_course', 'ground_track_field', 'harbor', 'industrial_area',
    'intersection', 'island', 'lake', 'meadow', 'medium_residential',
    'mobile_home_park', 'mountain', 'overpass', 'palace', 'parking_lot',
    'railway', 'railway_station', 'rectangular_farmland', 'river',
    'roundabout', 'runway', 'sea_ice', 'ship', 'snowberg',
    'sparse_residential', 'stadium', 'storage_tank', 'tennis_court',
    'terrace', 'thermal_power_station', 'wetland')

# PatternNet (Zhou et al., 2018): PatternNet/images/<class>/
PATTERNNET_CLASSES: Tuple[str, ...] = (
    'airplane', 'baseball_field', 'basketball_court', 'beach', 'bridge',
    'cemetery', 'chaparral', 'christmas_tree_farm', 'closed_road',
    'coastal_mansion', 'crosswalk', 'dense_residential', 'ferry_terminal',
    'football_field', 'forest', 'freeway', 'golf_course', 'harbor',
    'intersection', 'mobile_home_park', 'nursing_home', 'oil_gas_field',
    'oil_well', 'overpass', 'parking_lot', 'parking_space', 'railway',
    'river', 'runway', 'runway_marking', 'shipping_yard', 'solar_panel',
    'sparse_residential', 'storage_tank', 'swimming_pool', 'tennis_court',
    'transformer_station', 'wastewater_treatment_plant')

# RSI-CB256 (Li et al., 2017): the 35 leaf classes. The release nests them
# in parent category folders whose names differ between copies (e.g.
# ``construction land/city_building/``, ``water area/hirst/``), so datasets
# read the class from the folder that holds the image, not the top folder.
RSICB256_CLASSES: Tuple[str, ...] = (
    'airplane', 'airport_runway', 'artificial_grassland', 'avenue',
    'bare_land', 'bridge', 'city_building', 'coastline', 'container',
    'crossroads', 'dam', 'desert', 'dry_farm', 'forest', 'green_farmland',
    'highway', 'hirst', 'lakeshore', 'mangrove', 'marina', 'mountain',
    'parkinglot', 'pipeline', 'residents', 'river', 'river_protection_forest',
    'sandbeach', 'sapling', 'sea', 'shrubwood', 'snow_mountain',
    'sparse_forest', 'storage_room', 'stream', 'town')

#: Dataset keys accepted by the tools (``--classes aid``) and their lists.
OFFICIAL_CLASSES: Dict[str, Tuple[str, ...]] = {
    'ucmerced': UCMERCED_CLASSES,
    'aid': AID_CLASSES,
    'nwpu': NWPU_RESISC45_CLASSES,
    'patternnet': PATTERNNET_CLASSES,
    'rsicb': RSICB256_CLASSES,
}

#: Datasets whose class folders are nested below parent category folders.
LEAF_CLASS_DATASETS = frozenset({'rsicb'})
