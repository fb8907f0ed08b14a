#include "monitor/Clock.h"
