module ollamalens/bench/instantupstream

go 1.22
