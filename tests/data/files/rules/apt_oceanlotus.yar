include "common/markers.inc"

rule APT_OceanLotus_Loader_Test {
	meta:
		author = "aptscope tests"
		description = "OceanLotus loader marker"
		actor = "APT32"
		malware_family = "Denis"
		score = 70
	condition:
		oceanlotus_marker and filename matches /\.(dll|bin)$/
}
