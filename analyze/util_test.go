package analyze

import "strconv"

func ftoa2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
func itoa(i int) string      { return strconv.Itoa(i) }
